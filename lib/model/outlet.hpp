#pragma once
// The outlet a story lists for an article (the grouper's source, the stories API's outlets).
#include <string>

#include "model/article.hpp"

namespace feedwatch::model {

// The article's feed title, else the host of its feed URL (without credentials or port
// stripping: "example.com:8080" stays as it is). Never empty for a feed URL with a host.
std::string outlet_of(const Article& article);

}  // namespace feedwatch::model
