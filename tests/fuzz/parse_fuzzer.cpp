// libFuzzer target for the parse stage: any bytes, with and without an HTTP charset, must
// parse or fail cleanly, and every string of a parsed feed must be valid UTF-8 (the
// contract of model::ParsedFeed). Built only with -DFEEDWATCH_FUZZ=ON and clang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parse/encoding.hpp"
#include "parse/feed_json.hpp"
#include "parse/html_text.hpp"
#include "parse/parser.hpp"

namespace {

void require_utf8(std::string_view text)
{
    if (!feedwatch::parse::is_valid_utf8(text)) {
        std::abort();
    }
}

void check(const feedwatch::model::ParsedFeed& feed)
{
    for (const auto& error : feed.errors) {
        require_utf8(error);
    }
    for (std::string_view text : {std::string_view(feed.feed.title), std::string_view(feed.feed.link),
                                  std::string_view(feed.feed.subtitle), std::string_view(feed.feed.author)}) {
        require_utf8(text);
    }
    for (const auto& item : feed.items) {
        for (std::string_view text : {std::string_view(item.id), std::string_view(item.title), std::string_view(item.link),
                                      std::string_view(item.author), std::string_view(item.summary),
                                      std::string_view(item.content), std::string_view(item.text)}) {
            require_utf8(text);
        }
        if (item.id.empty()) {
            std::abort();  // every item gets an id (fallback)
        }
    }
    (void)feedwatch::parse::to_json(feed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view document(reinterpret_cast<const char*>(data), size);
    // Differential: whenever the linear fast path accepts a fragment, its text must be
    // exactly what gumbo's tree gives (bounded size: gumbo is the slow half).
    if (size < 2048 && feedwatch::parse::is_valid_utf8(document)) {
        if (const auto fast = feedwatch::parse::html_to_text_fast(document)) {
            if (*fast != feedwatch::parse::html_to_text_gumbo(document)) {
                std::abort();
            }
        }
    }
    // The first byte picks the HTTP context so that charset precedence is fuzzed too.
    static constexpr std::string_view k_content_types[] = {"", "application/rss+xml; charset=utf-8",
                                                           "text/xml", "application/xml; charset=windows-1252",
                                                           "text/html; charset=shift_jis"};
    const std::string_view content_type = size > 0 ? k_content_types[data[0] % 5] : std::string_view{};
    feedwatch::parse::ParseOptions options;
    options.content_type = content_type;
    options.base_url = "http://example.com/feeds/index.xml";
    if (auto parsed = feedwatch::parse::parse_feed(document, options)) {
        check(*parsed);
    }
    return 0;
}
