#include "api/alert_cache.hpp"

#include <gtest/gtest.h>

namespace feedwatch::api {
namespace {

RenderedAlert alert(std::uint64_t sequence)
{
    RenderedAlert rendered;
    rendered.sequence = sequence;
    rendered.head = "head " + std::to_string(sequence);
    return rendered;
}

TEST(AlertCache, DropsTheLeastRecentlyUsedPastCapacity)
{
    AlertCache cache(2);
    cache.insert(alert(1));
    cache.insert(alert(2));
    cache.insert(alert(3));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.find(1), nullptr);
    ASSERT_NE(cache.find(2), nullptr);
    EXPECT_EQ(cache.find(3)->head, "head 3");
}

TEST(AlertCache, FindMakesAnEntryTheMostRecentlyUsed)
{
    AlertCache cache(2);
    cache.insert(alert(1));
    cache.insert(alert(2));
    ASSERT_NE(cache.find(1), nullptr);
    cache.insert(alert(3));
    EXPECT_NE(cache.find(1), nullptr);
    EXPECT_EQ(cache.find(2), nullptr);
}

TEST(AlertCache, InsertingASequenceAgainReplacesItsEntry)
{
    AlertCache cache(4);
    cache.insert(alert(1));
    RenderedAlert again = alert(1);
    again.head = "replaced";
    cache.insert(std::move(again));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find(1)->head, "replaced");
}

}  // namespace
}  // namespace feedwatch::api
