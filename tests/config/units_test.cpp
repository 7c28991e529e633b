#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace feedwatch::config {
namespace {

struct DurationCase {
    std::string text;
    std::optional<std::int64_t> seconds;
};

class DurationTable : public testing::TestWithParam<DurationCase> {};

TEST_P(DurationTable, ParsesUnitsLargestFirst)
{
    const auto parsed = parse_duration(GetParam().text);
    if (GetParam().seconds) {
        ASSERT_TRUE(parsed) << GetParam().text;
        EXPECT_EQ(parsed->count(), *GetParam().seconds);
    } else {
        EXPECT_FALSE(parsed) << GetParam().text;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Units, DurationTable,
    testing::Values(DurationCase{"90s", 90}, DurationCase{"15m", 900}, DurationCase{"1h", 3600},
                    DurationCase{"2d", 172800}, DurationCase{"1h30m", 5400}, DurationCase{"1d2h3m4s", 93784},
                    DurationCase{"", std::nullopt}, DurationCase{"0s", std::nullopt}, DurationCase{"15", std::nullopt},
                    DurationCase{"m", std::nullopt}, DurationCase{"30m1h", std::nullopt},
                    DurationCase{"1h1h", std::nullopt}, DurationCase{"5 m", std::nullopt},
                    DurationCase{"1.5h", std::nullopt}, DurationCase{"-5m", std::nullopt},
                    DurationCase{"10ms", std::nullopt}, DurationCase{"99999999999999999999s", std::nullopt},
                    DurationCase{"999999999999999999d", std::nullopt}));

struct SizeCase {
    std::string text;
    std::optional<std::uint64_t> bytes;
};

class SizeTable : public testing::TestWithParam<SizeCase> {};

TEST_P(SizeTable, ParsesBinaryAndDecimalUnits)
{
    EXPECT_EQ(parse_size(GetParam().text), GetParam().bytes) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Units, SizeTable,
    testing::Values(SizeCase{"16MiB", 16ULL << 20}, SizeCase{"512KiB", 512ULL << 10}, SizeCase{"1GiB", 1ULL << 30},
                    SizeCase{"10MB", 10000000}, SizeCase{"100kB", 100000}, SizeCase{"1000", 1000},
                    SizeCase{"0", 0}, SizeCase{"7B", 7}, SizeCase{"16 MiB", 16ULL << 20},
                    SizeCase{"", std::nullopt}, SizeCase{"MiB", std::nullopt}, SizeCase{"16mib", std::nullopt},
                    SizeCase{"1.5MiB", std::nullopt}, SizeCase{"-1", std::nullopt}, SizeCase{"12 ", std::nullopt},
                    SizeCase{"16MiBs", std::nullopt}, SizeCase{"99999999999TiB", std::nullopt}));

}  // namespace
}  // namespace feedwatch::config
