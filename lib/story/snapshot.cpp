// Saving and restoring a Grouper. The snapshot is one JSON document:
//   {"version": 1,
//    "articles_seen": N,            articles the term statistics were learned from
//    "clock": S,                    latest arrival seen, Unix seconds
//    "next_handle": H,
//    "prune_above": V,              only once set: the vocabulary size that triggers the next cut
//    "terms": [[TERM, DF], ...],    every term remembered, in id order, with its document frequency
//    "stories": [{"handle", "id", "first_title", "first_seen", "last_seen", "articles",
//                 "outlets": [...], "centroid": [[TERM_ID, WEIGHT, ENTITY], ...],
//                 "index_terms": [TERM_ID, ...], "bands": [U64, ...]}, ...]}
// Options are not saved: they come from the configuration at restore.
#include <algorithm>
#include <cmath>
#include <exception>
#include <vector>

#include <nlohmann/json.hpp>

#include "story/grouper.hpp"
#include "story/state.hpp"

namespace feedwatch::story {
namespace {

constexpr int k_version = 1;

std::int64_t seconds(core::Instant instant)
{
    return instant.time_since_epoch().count();
}

core::Instant instant(std::int64_t seconds)
{
    return core::Instant(std::chrono::seconds(seconds));
}

}  // namespace

std::string Grouper::snapshot() const
{
    const State& state = *m_state;
    nlohmann::json document;
    document["version"] = k_version;
    document["articles_seen"] = state.articles_seen;
    document["clock"] = seconds(state.clock);
    document["next_handle"] = state.next_handle;
    if (state.prune_above != 0) {
        document["prune_above"] = state.prune_above;
    }
    auto& terms = document["terms"] = nlohmann::json::array();
    for (std::size_t i = 0; i < state.document_frequency.size(); ++i) {
        terms.push_back(
            nlohmann::json::array({state.extractor.term(static_cast<TermId>(i)), state.document_frequency[i]}));
    }
    auto& stories = document["stories"] = nlohmann::json::array();
    // In handle order, so that the same state always gives the same document.
    std::vector<const Story*> ordered;
    ordered.reserve(state.stories.size());
    for (const auto& [handle, story] : state.stories) {
        ordered.push_back(&story);
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const Story* left, const Story* right) { return left->handle < right->handle; });
    for (const Story* pointer : ordered) {
        const Story& story = *pointer;
        nlohmann::json centroid = nlohmann::json::array();
        for (const auto& entry : story.centroid) {
            centroid.push_back(nlohmann::json::array({entry.term, entry.weight, entry.entity}));
        }
        stories.push_back({{"handle", story.handle},
                           {"id", story.id},
                           {"first_title", story.first_title},
                           {"first_seen", seconds(story.first_seen)},
                           {"last_seen", seconds(story.last_seen)},
                           {"articles", story.articles},
                           {"outlets", story.outlets},
                           {"centroid", std::move(centroid)},
                           {"index_terms", story.index_terms},
                           {"bands", story.bands}});
    }
    // Titles and outlets come from feeds: never let one bad byte lose the state.
    return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<Grouper> Grouper::restore(std::string_view snapshot, Options options)
{
    auto state = std::make_unique<State>();
    state->options = options;
    try {
        const auto document = nlohmann::json::parse(snapshot);
        if (document.at("version").get<int>() != k_version) {
            return core::fail(core::ErrorCode::parse, "story snapshot: unsupported version");
        }
        state->articles_seen = document.at("articles_seen").get<std::uint64_t>();
        state->log_articles = std::log(static_cast<double>(state->articles_seen) + 1.0);
        state->clock = instant(document.at("clock").get<std::int64_t>());
        state->next_handle = document.at("next_handle").get<Handle>();
        state->prune_above = document.value("prune_above", std::size_t{0});
        for (const auto& entry : document.at("terms")) {
            const auto term = entry.at(0).get<std::string>();
            if (!state->extractor.add_term(term)) {
                return core::fail(core::ErrorCode::parse, "story snapshot: term listed twice: " + term);
            }
            state->document_frequency.push_back(entry.at(1).get<std::uint32_t>());
            state->log_document_frequency.push_back(
                std::log(static_cast<double>(state->document_frequency.back()) + 1.0));
        }
        const auto check_term = [&](TermId term) {
            if (term >= state->document_frequency.size()) {
                throw std::out_of_range("term id out of range");
            }
            return term;
        };
        for (const auto& entry : document.at("stories")) {
            Story story;
            story.handle = entry.at("handle").get<Handle>();
            story.id = entry.at("id").get<std::string>();
            story.first_title = entry.at("first_title").get<std::string>();
            story.first_seen = instant(entry.at("first_seen").get<std::int64_t>());
            story.last_seen = instant(entry.at("last_seen").get<std::int64_t>());
            story.articles = entry.at("articles").get<std::size_t>();
            story.outlets = entry.at("outlets").get<std::vector<std::string>>();
            for (const auto& term : entry.at("centroid")) {
                story.centroid.push_back(CentroidTerm{check_term(term.at(0).get<TermId>()), term.at(1).get<double>(),
                                                      term.at(2).get<bool>()});
            }
            for (const auto& term : entry.at("index_terms")) {
                story.index_terms.push_back(check_term(term.get<TermId>()));
            }
            story.bands = entry.at("bands").get<std::vector<std::uint64_t>>();
            if (story.handle >= state->next_handle || state->handles_by_id.count(story.id) != 0 ||
                state->stories.count(story.handle) != 0) {
                return core::fail(core::ErrorCode::parse, "story snapshot: story listed twice: " + story.id);
            }
            const Handle handle = story.handle;
            state->index_story(state->stories.emplace(handle, std::move(story)).first->second);
        }
    } catch (const std::exception& error) {
        return core::fail(core::ErrorCode::parse, std::string("story snapshot: ") + error.what());
    }
    return Grouper(std::move(state));
}

}  // namespace feedwatch::story
