#pragma once
// Relative references (RFC 3986 §5.2), for item links, enclosures and xml:base.
#include <string>
#include <string_view>

namespace feedwatch::parse {

// Resolves reference against base per RFC 3986 §5.2.2 (strict: a reference with a scheme
// is used as is), removing dot segments. Surrounding whitespace of both is ignored. When
// base is empty, returns the trimmed reference unchanged.
std::string resolve_url(std::string_view base, std::string_view reference);

// An http(s) URL with scheme and host lower-cased (RFC 3986 §6.2.2.1: they are
// case-insensitive), so that one link is one string. Userinfo, port, path, query and
// fragment are kept byte for byte (an empty path stays empty: readers disagree on adding
// "/"); anything else is returned as is.
std::string normalize_http_url(std::string_view url);

}  // namespace feedwatch::parse

namespace feedwatch::parse {

// Rewrites the URL attributes of an HTML fragment (href, src, cite, action, background,
// longdesc, usemap, poster, codebase, data, classid, profile) that are relative references
// into absolute ones against base (RFC 3986 §5.2); everything else, absolute URLs included,
// is copied byte for byte. Returns html unchanged when base is empty. Linear time: one
// pass, comments skipped, no tree built.
std::string resolve_html_urls(std::string_view html, std::string_view base);

// True for a link a reader may follow: not javascript:, vbscript: or data: (those are
// dropped from item and feed links).
bool is_safe_link(std::string_view url);

}  // namespace feedwatch::parse
