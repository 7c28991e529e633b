// feedwatch group: the daemon's story grouping over articles given as JSON lines, for trying
// thresholds and scoring against a labelled set.
#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/time.hpp"
#include "story/grouper.hpp"

namespace feedwatch::cli {
namespace {

constexpr int k_usage = 64;
constexpr int k_bad_input = 65;   // EX_DATAERR
constexpr int k_no_input = 66;    // EX_NOINPUT
constexpr int k_bad_config = 78;  // EX_CONFIG

constexpr std::string_view k_usage_text = "usage: feedwatch group [--config FILE] [--input FILE|-]\n";

// A string field, or empty when absent or null; anything else is an error.
std::optional<std::string> optional_string(const nlohmann::json& line, const char* key)
{
    const auto found = line.find(key);
    if (found == line.end() || found->is_null()) {
        return std::string();
    }
    if (!found->is_string()) {
        return std::nullopt;
    }
    return found->get<std::string>();
}

int group(std::istream& in, const story::Options& options, bool flush_each_line)
{
    story::Grouper grouper(options);
    core::Instant arrived{};
    std::string text;
    for (std::size_t line_number = 1; std::getline(in, text); ++line_number) {
        if (text.find_first_not_of(" \t\r") == std::string::npos) {
            continue;
        }
        const auto line = nlohmann::json::parse(text, nullptr, false);
        if (line.is_discarded() || !line.is_object()) {
            std::cerr << line_number << ": not a JSON object\n";
            return k_bad_input;
        }
        const auto id = line.find("id");
        if (id == line.end() || !(id->is_string() || id->is_number_integer()) ||
            (id->is_string() && id->get<std::string>().empty())) {
            std::cerr << line_number << ": no \"id\" (a non-empty string)\n";
            return k_bad_input;
        }
        const std::string id_text = id->is_string() ? id->get<std::string>() : id->dump();
        const auto title = optional_string(line, "title");
        const auto body = optional_string(line, "text");
        const auto source = optional_string(line, "source");
        const auto first_seen = optional_string(line, "first_seen");
        if (!title || !body || !source || !first_seen) {
            std::cerr << line_number << ": \"title\", \"text\", \"source\" and \"first_seen\" must be strings\n";
            return k_bad_input;
        }
        // The window runs on arrival times, as in the daemon (first_seen). A line without one
        // arrives with the line before it; `published` is the publisher's claim, often days
        // off for follow-ups and backfills, so it does not drive the window.
        if (!first_seen->empty()) {
            const auto parsed = core::parse_rfc3339(*first_seen);
            if (!parsed) {
                std::cerr << line_number << ": \"first_seen\" is not an RFC 3339 time: " << *first_seen << '\n';
                return k_bad_input;
            }
            arrived = *parsed;
        }
        const auto assignment = grouper.assign(story::ArticleInput{id_text, *title, *body, *source, arrived});
        std::cout << id_text << '\t' << assignment.story << '\n';
        if (flush_each_line) {
            std::cout.flush();
        }
    }
    std::cout.flush();
    return 0;
}

}  // namespace

int group_command(const std::vector<std::string>& args)
{
    std::string config_path;
    std::string input = "-";
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            config_path = args[++i];
        } else if (args[i] == "--input" && i + 1 < args.size()) {
            input = args[++i];
        } else {
            std::cerr << "feedwatch group: unexpected argument '" << args[i] << "'\n" << k_usage_text;
            return k_usage;
        }
    }
    story::Options options;
    if (!config_path.empty()) {
        const auto loaded = config::load_config(config_path);
        if (!loaded) {
            for (const auto& error : loaded.error()) {
                std::cerr << error.to_string() << '\n';
            }
            return k_bad_config;
        }
        options.window = loaded->story.window;
        options.threshold = loaded->story.threshold.value_or(story::k_default_threshold);
    }
    if (input == "-") {
        return group(std::cin, options, true);
    }
    std::ifstream file(input);
    if (!file) {
        std::cerr << "feedwatch group: cannot read " << input << '\n';
        return k_no_input;
    }
    return group(file, options, false);
}

}  // namespace feedwatch::cli
