#pragma once
// The one way to include Asio. g++ 12 in C++20 mode fails inside awaitable.hpp
// ("'exchange' is not a member of 'std'") unless <utility> comes first.
#include <utility>

#include <boost/asio.hpp>

namespace feedwatch {
namespace asio = boost::asio;
}
