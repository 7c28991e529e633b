#pragma once
// Relative references (RFC 3986 §5.2), for item links, enclosures and xml:base.
#include <string>
#include <string_view>

namespace feedwatch::parse {

// Resolves reference against base per RFC 3986 §5.2.2 (strict: a reference with a scheme
// is used as is), removing dot segments. Surrounding whitespace of both is ignored. When
// base is empty, returns the trimmed reference unchanged.
std::string resolve_url(std::string_view base, std::string_view reference);

}  // namespace feedwatch::parse
