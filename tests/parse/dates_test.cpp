#include <gtest/gtest.h>

#include "core/time.hpp"
#include "parse/dates.hpp"

namespace feedwatch::parse {
namespace {

std::string parsed(std::string_view text)
{
    const auto instant = parse_date(text);
    return instant ? core::format_rfc3339(*instant) : "(none)";
}

TEST(Dates, ParsesRfc822Variants)
{
    EXPECT_EQ(parsed("Mon, 02 Jan 2006 15:04:05 GMT"), "2006-01-02T15:04:05Z");
    EXPECT_EQ(parsed("Mon, 02 Jan 2006 15:04:05 -0700"), "2006-01-02T22:04:05Z");
    EXPECT_EQ(parsed("Mon, 02 Jan 2006 15:04:05 +05:30"), "2006-01-02T09:34:05Z");
    EXPECT_EQ(parsed("02 Jan 2006 15:04 EST"), "2006-01-02T20:04:00Z");
    EXPECT_EQ(parsed("Mon, 02 Jan 2006 15:04:05 EDT"), "2006-01-02T19:04:05Z");
    EXPECT_EQ(parsed("Sun, 6 Jul 2025 23:59:59 PST"), "2025-07-07T07:59:59Z");
    EXPECT_EQ(parsed("Thu, 01 Jan 04 19:48:21 GMT"), "2004-01-01T19:48:21Z");  // two-digit year
    EXPECT_EQ(parsed("Monday, 02 January 2006 15:04:05 UT"), "2006-01-02T15:04:05Z");
    EXPECT_EQ(parsed("Mon,02 Jan 2006 15:04:05 Z"), "2006-01-02T15:04:05Z");
    EXPECT_EQ(parsed("Tue, 10 Jun 2003 04:00:00 -0700 (PDT)"), "2003-06-10T11:00:00Z");
    EXPECT_EQ(parsed("02-Jan-2006 15:04:05 +0000"), "2006-01-02T15:04:05Z");
    EXPECT_EQ(parsed("Jan 2 2006 3:04:05 PM GMT"), "2006-01-02T15:04:05Z");
    EXPECT_EQ(parsed("Mon, 02 Jan 2006"), "2006-01-02T00:00:00Z");  // no time
    EXPECT_EQ(parsed("Mon, 02 Jan 2006 15:04:05"), "2006-01-02T15:04:05Z");  // no zone: UTC
    EXPECT_EQ(parsed("Wed, 19 Feb 2012 22:40:00 GMT-01:01"), "2012-02-19T23:41:00Z");
    EXPECT_EQ(parsed("Mon, 26 January 2004 16:31:00 ET"), "2004-01-26T21:31:00Z");
}

TEST(Dates, ParsesRfc3339AndW3cDtf)
{
    EXPECT_EQ(parsed("2025-05-01T08:00:00+02:00"), "2025-05-01T06:00:00Z");
    EXPECT_EQ(parsed("2003-12-31T10:14:55.1234Z"), "2003-12-31T10:14:55Z");
    EXPECT_EQ(parsed("2003-12-31T10:14Z"), "2003-12-31T10:14:00Z");
    EXPECT_EQ(parsed("2003-12-31"), "2003-12-31T00:00:00Z");
    EXPECT_EQ(parsed("2003-12"), "2003-12-01T00:00:00Z");
    EXPECT_EQ(parsed("2003"), "2003-01-01T00:00:00Z");
    EXPECT_EQ(parsed("2003-12-31 10:14:55 -0500"), "2003-12-31T15:14:55Z");
    EXPECT_EQ(parsed("20031231T101455Z"), "2003-12-31T10:14:55Z");
    EXPECT_EQ(parsed("  2003-12-31T10:14:55z \n"), "2003-12-31T10:14:55Z");
}

TEST(Dates, RejectsNonsense)
{
    EXPECT_EQ(parsed(""), "(none)");
    EXPECT_EQ(parsed("yesterday"), "(none)");
    EXPECT_EQ(parsed("2023-02-30T00:00:00Z"), "(none)");
    EXPECT_EQ(parsed("Mon, 32 Jan 2006 15:04:05 GMT"), "(none)");
    EXPECT_EQ(parsed("Mon, 02 Foo 2006 15:04:05 GMT"), "(none)");
    EXPECT_EQ(parsed("2003-13-01"), "(none)");
    EXPECT_EQ(parsed("25:00"), "(none)");
}

}  // namespace
}  // namespace feedwatch::parse
