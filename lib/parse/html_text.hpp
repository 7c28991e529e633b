#pragma once
// Plain text from HTML fragments, for titles and for matching.
#include <optional>
#include <string>
#include <string_view>

namespace feedwatch::parse {

// Whether U+00A0 counts as collapsible whitespace: yes for the `text` used in matching,
// no for titles, where a publisher's &nbsp; is content (feedparser keeps it too).
enum class NoBreakSpace { collapse, keep };

// Returns the visible text of an HTML fragment parsed with gumbo (HTML5 tree building):
// script, style, template and noscript dropped, character references decoded, block
// elements separated by a space, whitespace (including U+00A0 unless kept) collapsed and
// trimmed.
// Fragments nested deeper than gumbo can free safely (its cleanup recurses) fall back to a
// linear tag stripper with the same output rules.
std::string html_to_text(std::string_view html, NoBreakSpace no_break_space = NoBreakSpace::collapse);

// The two halves of html_to_text, exposed for the differential fuzz target and tests:
// the linear fast path (nullopt when the fragment is outside the subset it handles
// exactly) and the gumbo path (without the deep-nesting fallback).
std::optional<std::string> html_to_text_fast(std::string_view html);
std::string html_to_text_gumbo(std::string_view html);

// Collapses runs of whitespace (ASCII, and U+00A0 unless kept) to one space and trims
// the ends.
std::string collapse_whitespace(std::string_view text, NoBreakSpace no_break_space = NoBreakSpace::collapse);

}  // namespace feedwatch::parse
