#include "deliver/story_digest.hpp"

#include <algorithm>

#include "core/digest.hpp"

namespace feedwatch::deliver {

DigestSlot story_digest_slot(std::string_view story, core::Instant created, std::chrono::seconds interval)
{
    const std::int64_t length = std::max<std::int64_t>(1, interval.count());
    const std::int64_t at = created.time_since_epoch().count();
    const std::int64_t end = (at / length + 1) * length;
    return DigestSlot{std::string(story) + "@" + std::to_string(end), core::Instant{std::chrono::seconds{end}}};
}

std::string story_digest_id(std::string_view webhook, std::string_view key)
{
    return "digest_" + core::sha256_hex(std::string(webhook) + "\n" + std::string(key)).substr(0, 32);
}

}  // namespace feedwatch::deliver
