#include "model/ids.hpp"

#include "core/digest.hpp"

namespace feedwatch::model {

std::string article_id(std::string_view feed_url, std::string_view item_id)
{
    std::string key;
    key.append(feed_url).push_back('\n');
    key.append(item_id);
    return core::sha256_hex(key).substr(0, 32);
}

std::string webhook_id(std::string_view watchlist, std::string_view webhook, std::string_view article_id)
{
    std::string key;
    key.append(watchlist).push_back('\n');
    key.append(webhook).push_back('\n');
    key.append(article_id);
    return "msg_" + core::sha256_hex(key).substr(0, 32);
}

}  // namespace feedwatch::model
