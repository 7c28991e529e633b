#include "core/digest.hpp"
#include "core/time.hpp"

#include <gtest/gtest.h>

namespace feedwatch::core {

TEST(Digest, Sha256MatchesKnownVector)
{
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, HmacSha256MatchesRfc4231Case2)
{
    const std::string mac = hmac_sha256("Jefe", "what do ya want for nothing?");
    EXPECT_EQ(base64_encode(mac), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

TEST(Digest, Base64RoundTripsAndRejectsGarbage)
{
    std::string decoded;
    ASSERT_TRUE(base64_decode(base64_encode("hello!?"), decoded));
    EXPECT_EQ(decoded, "hello!?");
    EXPECT_FALSE(base64_decode("abc", decoded));
    EXPECT_FALSE(base64_decode("a$c=", decoded));
}

TEST(Time, FormatsAndParsesRfc3339InUtc)
{
    const auto instant = parse_rfc3339("2014-05-20T06:05:00+02:00");
    ASSERT_TRUE(instant);
    EXPECT_EQ(format_rfc3339(*instant), "2014-05-20T04:05:00Z");
    EXPECT_EQ(parse_rfc3339("2014-05-20T04:05:00.123Z"), instant);
    EXPECT_FALSE(parse_rfc3339("2014-13-20T04:05:00Z"));
    EXPECT_FALSE(parse_rfc3339("yesterday"));
}

}  // namespace feedwatch::core
