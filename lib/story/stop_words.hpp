#pragma once
// English function words that say nothing about which event an article reports.
#include <string_view>

namespace feedwatch::story {

// True for a folded (lower-case) English function word such as "the", "said" or "would".
bool is_stop_word(std::string_view folded);

}  // namespace feedwatch::story
