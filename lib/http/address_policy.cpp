#include "http/address_policy.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace feedwatch::http {
namespace {

struct V4Range {
    std::uint32_t network;
    int prefix;
};

constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (a << 24) | (b << 16) | (c << 8) | d;
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890) plus multicast and reserved space.
constexpr std::array<V4Range, 17> k_private_v4{{
    {v4(0, 0, 0, 0), 8},        // "this network", includes the unspecified address
    {v4(10, 0, 0, 0), 8},       // RFC 1918
    {v4(100, 64, 0, 0), 10},    // shared address space (carrier-grade NAT), RFC 6598
    {v4(127, 0, 0, 0), 8},      // loopback
    {v4(169, 254, 0, 0), 16},   // link-local, includes 169.254.169.254 (cloud metadata)
    {v4(172, 16, 0, 0), 12},    // RFC 1918
    {v4(192, 0, 0, 0), 24},     // IETF protocol assignments
    {v4(192, 0, 2, 0), 24},     // TEST-NET-1
    {v4(192, 88, 99, 0), 24},   // 6to4 relay anycast
    {v4(192, 168, 0, 0), 16},   // RFC 1918
    {v4(198, 18, 0, 0), 15},    // benchmarking
    {v4(198, 51, 100, 0), 24},  // TEST-NET-2
    {v4(203, 0, 113, 0), 24},   // TEST-NET-3
    {v4(224, 0, 0, 0), 4},      // multicast
    {v4(240, 0, 0, 0), 4},      // reserved, includes broadcast 255.255.255.255
    {v4(255, 255, 255, 255), 32},
    {v4(192, 31, 196, 0), 24},  // AS112
}};

bool in_v4_range(std::uint32_t address, const V4Range& range)
{
    const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix);
    return (address & mask) == (range.network & mask);
}

bool is_private_v4(const asio::ip::address_v4& address)
{
    const std::uint32_t value = address.to_uint();
    for (const auto& range : k_private_v4) {
        if (in_v4_range(value, range)) {
            return true;
        }
    }
    return false;
}

using V6Bytes = asio::ip::address_v6::bytes_type;

struct V6Range {
    std::array<unsigned char, 16> network;
    int prefix;
};

bool in_v6_range(const V6Bytes& address, const V6Range& range)
{
    int bits = range.prefix;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
        if ((address[i] & mask) != (range.network[i] & mask)) {
            return false;
        }
    }
    return true;
}

// Ranges inside global unicast 2000::/3 that are nevertheless refused.
const std::array<V6Range, 4> k_private_v6_in_global{{
    {{0x20, 0x01, 0x00, 0x00}, 32},  // Teredo: tunnels to an embedded IPv4 address
    {{0x20, 0x01, 0x0d, 0xb8}, 32},  // documentation
    {{0x20, 0x02}, 16},              // 6to4: embeds an IPv4 address
    {{0x20, 0x01, 0x00, 0x10}, 28},  // ORCHID (deprecated)
}};

bool is_private_v6(const asio::ip::address_v6& address)
{
    const V6Bytes bytes = address.to_bytes();
    // Everything outside global unicast 2000::/3: ::, ::1, ::ffff:0:0/96, ::/96, 64:ff9b::/96,
    // 64:ff9b:1::/48, 100::/64, fc00::/7, fe80::/10, fec0::/10, ff00::/8 ...
    if ((bytes[0] & 0xe0) != 0x20) {
        return true;
    }
    for (const auto& range : k_private_v6_in_global) {
        if (in_v6_range(bytes, range)) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool is_private_address(const asio::ip::address& address) noexcept
{
    return address.is_v4() ? is_private_v4(address.to_v4()) : is_private_v6(address.to_v6());
}

bool is_private_address(std::string_view text) noexcept
{
    boost::system::error_code error;
    const auto address = asio::ip::make_address(std::string(text), error);
    return error || is_private_address(address);
}

}  // namespace feedwatch::http
