#include "model/outlet.hpp"

#include <string_view>

namespace feedwatch::model {
namespace {

std::string_view host_of(std::string_view url)
{
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    url = url.substr(0, url.find_first_of("/?#"));
    if (const auto credentials = url.rfind('@'); credentials != std::string_view::npos) {
        url.remove_prefix(credentials + 1);
    }
    return url;
}

}  // namespace

std::string outlet_of(const Article& article)
{
    return article.feed.title.empty() ? std::string(host_of(article.feed.url)) : article.feed.title;
}

}  // namespace feedwatch::model
