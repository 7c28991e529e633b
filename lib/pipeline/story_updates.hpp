#pragma once
// How each webhook takes the watchlist.update alerts of stories ([[webhook]] story_updates,
// digest_interval): decided when the alert is queued, in the poll's commit.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "config/config.hpp"

namespace feedwatch::pipeline {

enum class StoryUpdates { each, digest, none };

struct StoryUpdatePolicy {
    StoryUpdates mode = StoryUpdates::each;
    std::chrono::seconds digest_interval{5 * 60};
};

// By webhook name; a webhook that is not listed gets every update (each).
using StoryUpdatePolicies = std::map<std::string, StoryUpdatePolicy>;

// The policies of config's webhooks (load_config has checked the values; anything else counts
// as each).
std::shared_ptr<const StoryUpdatePolicies> story_update_policies(const config::Config& config);

}  // namespace feedwatch::pipeline
