#include "pipeline/story_updates.hpp"

namespace feedwatch::pipeline {

std::shared_ptr<const StoryUpdatePolicies> story_update_policies(const config::Config& config)
{
    auto policies = std::make_shared<StoryUpdatePolicies>();
    for (const config::WebhookConfig& webhook : config.webhooks) {
        StoryUpdatePolicy policy;
        policy.mode = webhook.story_updates == "digest" ? StoryUpdates::digest
                      : webhook.story_updates == "none" ? StoryUpdates::none
                                                        : StoryUpdates::each;
        policy.digest_interval = webhook.digest_interval;
        policies->emplace(webhook.name, policy);
    }
    return policies;
}

}  // namespace feedwatch::pipeline
