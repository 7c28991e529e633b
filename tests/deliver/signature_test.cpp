#include "deliver/signature.hpp"

#include <gtest/gtest.h>

namespace feedwatch::deliver {
namespace {

// Test vector from the Standard Webhooks specification.
constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* k_msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t k_timestamp = 1614265330;
constexpr const char* k_body = R"({"test": 2432232314})";
constexpr const char* k_expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(Signature, MatchesStandardWebhooksTestVector)
{
    const auto key = decode_secret(k_secret);
    ASSERT_TRUE(key);
    EXPECT_EQ(sign(*key, k_msg_id, k_timestamp, k_body), k_expected);
    EXPECT_EQ(signature_header({k_secret}, k_msg_id, k_timestamp, k_body), k_expected);
}

TEST(Signature, JoinsOneSignaturePerSecretForRotation)
{
    const std::string header = signature_header({k_secret, "whsec_c2Vjb25kLXNlY3JldA=="}, k_msg_id, k_timestamp, k_body);
    const auto space = header.find(' ');
    ASSERT_NE(space, std::string::npos);
    EXPECT_EQ(header.substr(0, space), k_expected);
    EXPECT_EQ(header.substr(space + 1), sign("second-secret", k_msg_id, k_timestamp, k_body));
}

TEST(Signature, VerifyAcceptsAnyMatchingSignatureAndRejectsTampering)
{
    const std::string header = std::string("v1,bm90LWEtc2lnbmF0dXJl ") + k_expected;
    EXPECT_TRUE(verify({k_secret}, k_msg_id, k_timestamp, k_body, header));
    EXPECT_TRUE(verify({"whsec_c2Vjb25kLXNlY3JldA==", k_secret}, k_msg_id, k_timestamp, k_body, k_expected));
    EXPECT_FALSE(verify({k_secret}, k_msg_id, k_timestamp + 1, k_body, k_expected));
    EXPECT_FALSE(verify({k_secret}, k_msg_id, k_timestamp, R"({"test": 2432232315})", k_expected));
    EXPECT_FALSE(verify({k_secret}, "msg_other", k_timestamp, k_body, k_expected));
    EXPECT_FALSE(verify({"whsec_c2Vjb25kLXNlY3JldA=="}, k_msg_id, k_timestamp, k_body, k_expected));
    EXPECT_FALSE(verify({k_secret}, k_msg_id, k_timestamp, k_body, ""));
    EXPECT_FALSE(verify({}, k_msg_id, k_timestamp, k_body, k_expected));
}

TEST(Signature, DecodesSecrets)
{
    EXPECT_EQ(decode_secret("whsec_c2Vjb25kLXNlY3JldA=="), "second-secret");
    EXPECT_EQ(decode_secret("raw-bytes"), "raw-bytes");
    EXPECT_FALSE(decode_secret("whsec_not base64!"));
    EXPECT_FALSE(decode_secret("whsec_"));
    EXPECT_FALSE(decode_secret(""));
    EXPECT_EQ(signature_header({"whsec_bad!"}, k_msg_id, k_timestamp, k_body), "");
}

}  // namespace
}  // namespace feedwatch::deliver
