#pragma once
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "parse/parser.hpp"

namespace feedwatch::parse::test {

inline std::string read_data_file(const std::string& name)
{
    std::ifstream in(std::string(FEEDWATCH_SOURCE_DIR) + "/tests/data/feeds/" + name, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

// Parses and fails the test (returning an empty feed) when the parser refuses.
inline model::ParsedFeed parse_ok(std::string_view document, const ParseOptions& options = {})
{
    auto result = parse_feed(document, options);
    if (!result) {
        ADD_FAILURE() << "parse failed: " << result.error().detail;
        return {};
    }
    return std::move(*result);
}

inline std::string rss(std::string_view items, std::string_view channel_extra = "")
{
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" "
           "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
           "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Harbor Gazette</title>"
           "<link>https://gazette.example/</link><description>News from the harbor</description>" +
           std::string(channel_extra) + std::string(items) + "</channel></rss>";
}

}  // namespace feedwatch::parse::test
