// feedwatch import-opml FILE: an OPML subscription list as [[feed]] tables, ready to paste
// into the configuration or to save as a feed file (feed_files = ["feeds.d/*.toml"]).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "parse/opml.hpp"

namespace feedwatch::cli {
namespace {

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string toml_string(const std::string& text)
{
    std::string out = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

bool is_http_url(const std::string& url) { return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0; }

}  // namespace

int import_opml_command(const std::vector<std::string>& args)
{
    if (args.size() != 1) {
        std::cerr << "usage: feedwatch import-opml FILE\n";
        return 64;
    }
    std::ifstream in(args[0], std::ios::binary);
    if (!in) {
        std::cerr << "feedwatch import-opml: cannot read " << args[0] << "\n";
        return 66;
    }
    std::ostringstream content;
    content << in.rdbuf();
    const std::string text = content.str();
    auto outlines = parse::read_opml(text);
    if (!outlines) {
        std::cerr << args[0] << ": not an OPML document: " << outlines.error().detail << "\n";
        return 65;
    }
    std::set<std::string> seen;
    std::size_t skipped = 0;
    std::cout << "# " << outlines->size() << " outlines from " << args[0] << "\n";
    for (const auto& outline : *outlines) {
        if (!is_http_url(outline.url)) {
            std::cerr << args[0] << ":" << outline.line << ": skipped " << outline.url << ": not an http or https URL\n";
            ++skipped;
            continue;
        }
        if (!seen.insert(outline.url).second) {
            continue;  // listed under two categories: the first one wins
        }
        std::cout << "\n";
        if (!outline.title.empty()) {
            std::string title = outline.title;
            for (char& c : title) {
                if (c == '\n' || c == '\r') {
                    c = ' ';
                }
            }
            std::cout << "# " << title << "\n";
        }
        std::cout << "[[feed]]\nurl = " << toml_string(outline.url) << "\n";
        if (!outline.categories.empty()) {
            std::cout << "tags = [";
            for (std::size_t i = 0; i < outline.categories.size(); ++i) {
                std::cout << (i == 0 ? "" : ", ") << toml_string(outline.categories[i]);
            }
            std::cout << "]\n";
        }
    }
    return skipped == 0 ? 0 : 65;
}

}  // namespace feedwatch::cli
