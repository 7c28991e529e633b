#include "parse/opml.hpp"

#include <algorithm>

#include <pugixml.hpp>

namespace feedwatch::parse {
namespace {

std::string trimmed(const char* text)
{
    std::string_view view(text);
    while (!view.empty() && std::string_view(" \t\r\n").find(view.front()) != std::string_view::npos) {
        view.remove_prefix(1);
    }
    while (!view.empty() && std::string_view(" \t\r\n").find(view.back()) != std::string_view::npos) {
        view.remove_suffix(1);
    }
    return std::string(view);
}

int line_of(std::string_view document, std::ptrdiff_t offset)
{
    if (offset < 0) {
        return 0;
    }
    const auto end = document.begin() + std::min<std::ptrdiff_t>(offset, static_cast<std::ptrdiff_t>(document.size()));
    return 1 + static_cast<int>(std::count(document.begin(), end, '\n'));
}

void walk(pugi::xml_node parent, std::vector<std::string>& categories, std::string_view document,
          std::vector<OpmlFeed>& out)
{
    for (pugi::xml_node outline : parent.children("outline")) {
        std::string title = trimmed(outline.attribute("title").as_string());
        if (title.empty()) {
            title = trimmed(outline.attribute("text").as_string());
        }
        std::string url = trimmed(outline.attribute("xmlUrl").as_string());
        if (!url.empty()) {
            out.push_back(OpmlFeed{std::move(url), title, categories, line_of(document, outline.offset_debug())});
        }
        if (outline.first_child()) {
            categories.push_back(title);
            walk(outline, categories, document, out);
            categories.pop_back();
        }
    }
}

}  // namespace

core::Result<std::vector<OpmlFeed>> read_opml(std::string_view document)
{
    pugi::xml_document xml;
    const pugi::xml_parse_result parsed =
        xml.load_buffer(document.data(), document.size(), pugi::parse_default, pugi::encoding_auto);
    if (!parsed) {
        return core::fail(core::ErrorCode::parse, std::string(parsed.description()) + " at line " +
                                                      std::to_string(line_of(document, parsed.offset)));
    }
    const pugi::xml_node body = xml.child("opml").child("body");
    if (!body) {
        return core::fail(core::ErrorCode::parse, "no <opml><body> element");
    }
    std::vector<OpmlFeed> out;
    std::vector<std::string> categories;
    walk(body, categories, document, out);
    return out;
}

}  // namespace feedwatch::parse
