#include "http/address_policy.hpp"

#include <string>

#include <gtest/gtest.h>

namespace feedwatch::http {
namespace {

struct Case {
    const char* address;
    bool is_private;
};

class AddressPolicyTest : public ::testing::TestWithParam<Case> {};

TEST_P(AddressPolicyTest, ClassifiesAddress)
{
    const Case& c = GetParam();
    EXPECT_EQ(is_private_address(std::string_view(c.address)), c.is_private) << c.address;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AddressPolicyTest,
    ::testing::Values(
        // IPv4 public
        Case{"93.184.216.34", false}, Case{"8.8.8.8", false}, Case{"1.1.1.1", false},
        Case{"172.32.0.1", false}, Case{"100.128.0.1", false}, Case{"192.169.0.1", false},
        Case{"223.255.255.254", false}, Case{"11.0.0.1", false},
        // IPv4 refused
        Case{"127.0.0.1", true}, Case{"127.255.255.254", true}, Case{"0.0.0.0", true}, Case{"0.1.2.3", true},
        Case{"10.0.0.1", true}, Case{"10.255.255.255", true}, Case{"172.16.0.1", true}, Case{"172.31.255.255", true},
        Case{"192.168.1.1", true}, Case{"100.64.0.1", true}, Case{"100.127.255.255", true},
        Case{"169.254.169.254", true}, Case{"169.254.0.1", true}, Case{"224.0.0.1", true},
        Case{"239.255.255.250", true}, Case{"240.0.0.1", true}, Case{"255.255.255.255", true},
        Case{"192.0.2.1", true}, Case{"198.18.0.1", true},
        // IPv6 public
        Case{"2606:4700:4700::1111", false}, Case{"2a00:1450:4001:80b::200e", false},
        Case{"2001:4860:4860::8888", false},
        // IPv6 refused
        Case{"::", true}, Case{"::1", true}, Case{"fc00::1", true}, Case{"fd12:3456:789a::1", true},
        Case{"fe80::1", true}, Case{"febf::1", true}, Case{"fec0::1", true}, Case{"ff02::1", true},
        Case{"::ffff:127.0.0.1", true}, Case{"::ffff:8.8.8.8", true}, Case{"::127.0.0.1", true},
        Case{"64:ff9b::a00:1", true}, Case{"64:ff9b::808:808", true}, Case{"64:ff9b:1::1", true},
        Case{"2002:7f00:1::1", true}, Case{"2002:808:808::1", true}, Case{"2001:0:4136:e378::1", true},
        Case{"2001:db8::1", true}, Case{"100::1", true},
        // not an address at all
        Case{"localhost", true}, Case{"", true}, Case{"256.1.1.1", true}));

TEST(AddressPolicy, TakesAsioAddresses)
{
    EXPECT_TRUE(is_private_address(asio::ip::make_address("127.0.0.1")));
    EXPECT_FALSE(is_private_address(asio::ip::make_address("2606:4700::1")));
}

}  // namespace
}  // namespace feedwatch::http
