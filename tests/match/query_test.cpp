#include "match/matcher.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace feedwatch::match {
namespace {

using Alternatives = std::vector<std::vector<std::string>>;

struct ValidCase {
    std::string query;
    Alternatives alternatives;
};

class QueryParses : public testing::TestWithParam<ValidCase> {};

TEST_P(QueryParses, IntoFoldedAlternatives)
{
    const auto query = Query::parse(GetParam().query);
    ASSERT_TRUE(query) << query.error().message;
    EXPECT_EQ(query->alternatives(), GetParam().alternatives);
    EXPECT_EQ(query->text(), GetParam().query);
}

INSTANTIATE_TEST_SUITE_P(
    Query, QueryParses,
    testing::Values(ValidCase{"Huawei", {{"huawei"}}},
                    ValidCase{R"(indictment OR Huawei OR "Unit 61398")",
                              {{"indictment"}, {"huawei"}, {"unit", "61398"}}},
                    ValidCase{"cyber-espionage", {{"cyber", "espionage"}}},
                    ValidCase{"  Café\tOR\n\"ÉCOLE  normale\"  ", {{"cafe"}, {"ecole", "normale"}}},
                    ValidCase{R"("a"OR"b")", {{"a"}, {"b"}}}, ValidCase{"\"OR\"", {{"or"}}}));

struct InvalidCase {
    std::string name;
    std::string query;
    std::size_t offset;
    std::string message;
};

class QueryRejects : public testing::TestWithParam<InvalidCase> {};

TEST_P(QueryRejects, WithMessageAtOffset)
{
    const auto query = Query::parse(GetParam().query);
    ASSERT_FALSE(query);
    EXPECT_EQ(query.error().offset, GetParam().offset);
    EXPECT_EQ(query.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Query, QueryRejects,
    testing::Values(InvalidCase{"Empty", "", 0, "empty query"}, InvalidCase{"Blank", "   ", 0, "empty query"},
                    InvalidCase{"UnterminatedQuote", R"(a OR "Unit 61398)", 5, "unterminated quote"},
                    InvalidCase{"DanglingOr", "a OR", 2, "expected a term after OR"},
                    InvalidCase{"LeadingOr", "OR a", 0, "expected a term before OR"},
                    InvalidCase{"DoubleOr", "a OR OR b", 5, "expected a term, found OR"},
                    InvalidCase{"EmptyPhrase", R"(a OR "")", 5, "empty phrase"},
                    InvalidCase{"BlankPhrase", R"(" - ")", 0, "empty phrase"},
                    InvalidCase{"AdjacentTerms", "Huawei ZTE", 7, "expected OR before \"ZTE\""},
                    InvalidCase{"AdjacentPhrase", R"(a "b c")", 2, "expected OR before \"b c\""},
                    InvalidCase{"LowerCaseOr", "a or b", 2,
                                "expected OR before \"or\" (the operator is upper-case OR)"},
                    InvalidCase{"PunctuationOnly", "a OR !!", 5, "term \"!!\" has no letters or digits"}),
    [](const testing::TestParamInfo<InvalidCase>& param_info) { return param_info.param.name; });

TEST(Query, RejectsUnterminatedQuoteAtItsOffset)
{
    const auto query = Query::parse(R"(indictment OR "Unit 61398)");
    ASSERT_FALSE(query);
    EXPECT_EQ(query.error().offset, 14U);
    EXPECT_EQ(query.error().message, "unterminated quote");
}

}  // namespace
}  // namespace feedwatch::match
