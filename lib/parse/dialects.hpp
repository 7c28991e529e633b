#pragma once
// One reader per feed dialect, filling a ParsedFeed from a pugixml tree. Internal to the
// parse stage; parser.cpp picks the reader from the root element.
#include <cstddef>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "model/feed.hpp"
#include "parse/xml.hpp"

namespace feedwatch::parse {

struct ReadContext {
    std::string_view base_url;                  // where the document came from
    const xml::Recovery* recovery = nullptr;    // set when pugixml stopped early
    std::size_t dropped_items = 0;              // incomplete items left out

    // False (and counted) for an item element the parser did not finish.
    bool keep(pugi::xml_node item)
    {
        if (recovery == nullptr || xml::is_complete(item, *recovery)) {
            return true;
        }
        ++dropped_items;
        return false;
    }
};

// RSS 0.9x/2.0 (<rss>) and RSS 0.90/1.0 (<rdf:RDF>). Sets out.format.
void read_rss(pugi::xml_node root, ReadContext& context, model::ParsedFeed& out);

// Atom 1.0 (RFC 4287) and Atom 0.3. Sets out.format.
void read_atom(pugi::xml_node root, ReadContext& context, model::ParsedFeed& out);

// JSON Feed 1.0/1.1. False with error set when the document is not valid JSON or not a
// JSON Feed. Sets out.format.
bool read_json_feed(std::string_view document, const ReadContext& context, model::ParsedFeed& out, std::string& error);

// Plain text of a title-like value that may carry escaped HTML.
std::string plain_title(std::string_view value);

}  // namespace feedwatch::parse
