#include "match/query.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace feedwatch::match {
namespace {

// The tree in a fully parenthesized form: fields other than the default are shown per leaf.
std::string render(const Query& query, const Node& node)
{
    const auto join = [&](std::string_view op) {
        std::string out = "(";
        for (std::size_t i = 0; i < node.children.size(); ++i) {
            out += (i == 0 ? "" : std::string(" ") + std::string(op) + " ") + render(query, node.children[i]);
        }
        return out + ")";
    };
    switch (node.kind) {
    case Node::Kind::leaf: {
        const Leaf& leaf = query.leaves()[node.leaf];
        std::string prefix;
        if (leaf.fields != k_default_fields) {
            for (std::size_t f = 0; f < k_field_count; ++f) {
                if ((leaf.fields & (1U << f)) != 0) {
                    prefix += std::string(field_name(static_cast<Field>(f))) + ":";
                }
            }
        }
        const char* kind = leaf.kind == Leaf::Kind::word ? "" : (leaf.kind == Leaf::Kind::prefix ? "" : "\"");
        return prefix + kind + leaf.term + kind;
    }
    case Node::Kind::all_of:
        return join("AND");
    case Node::Kind::any_of:
        return join("OR");
    case Node::Kind::negation:
        return "NOT " + render(query, node.children.front());
    case Node::Kind::near:
        return join("NEAR/" + std::to_string(node.distance));
    }
    return "?";
}

struct ValidCase {
    std::string query;
    std::string tree;
};

class QueryParses : public testing::TestWithParam<ValidCase> {};

TEST_P(QueryParses, IntoTheExpectedTree)
{
    const auto query = Query::parse(GetParam().query);
    ASSERT_TRUE(query) << GetParam().query << ": " << query.error().message << " at " << query.error().offset;
    EXPECT_EQ(render(*query, query->root()), GetParam().tree) << GetParam().query;
    EXPECT_EQ(query->text(), GetParam().query);
}

INSTANTIATE_TEST_SUITE_P(
    Query, QueryParses,
    testing::Values(
        ValidCase{"Huawei", "huawei"}, ValidCase{"  Café\t", "cafe"},
        ValidCase{R"(indictment OR Huawei OR "Unit 61398")", R"((indictment OR huawei OR "unit 61398"))"},
        ValidCase{"cyber-espionage", R"("cyber espionage")"}, ValidCase{"=PLA", R"("=PLA")"},
        ValidCase{R"(="Unit 61398")", R"("=Unit 61398")"}, ValidCase{"cyber*", "cyber*"},
        ValidCase{"Huawei ZTE", "(huawei AND zte)"}, ValidCase{"Huawei AND ZTE", "(huawei AND zte)"},
        ValidCase{"a b OR c", "((a AND b) OR c)"}, ValidCase{"a OR b c", "(a OR (b AND c))"},
        ValidCase{"NOT a b", "(NOT a AND b)"}, ValidCase{"huawei -sport", "(huawei AND NOT sport)"},
        ValidCase{"huawei NOT (sport OR football)", "(huawei AND NOT (sport OR football))"},
        ValidCase{"(a OR b) (c OR d)", "((a OR b) AND (c OR d))"}, ValidCase{"((a))", "a"},
        ValidCase{"china NEAR/5 hacker", "(china NEAR/5 hacker)"},
        ValidCase{R"("unit 61398" NEAR/0 =PLA)", R"(("unit 61398" NEAR/0 "=PLA"))"},
        ValidCase{"title:huawei", "title:huawei"}, ValidCase{R"(title:"unit 61398")", R"(title:"unit 61398")"},
        ValidCase{"title:(a OR b) c", "((title:a OR title:b) AND c)"},
        ValidCase{"title:(a OR summary:b)", "(title:a OR summary:b)"},
        ValidCase{"-category:sport huawei", "(NOT category:sport AND huawei)"},
        ValidCase{"link:https://example.com/news", R"(link:"https example com news")"},
        ValidCase{"feed:reuters author:=Smith", R"((feed:reuters AND author:"=Smith"))"},
        ValidCase{R"("OR")", R"("or")"}, ValidCase{R"("a"OR"b")", R"(("a" OR "b"))"},
        ValidCase{"a -b -c", "(a AND NOT b AND NOT c)"}, ValidCase{"NOT NOT a", "a"}, ValidCase{"a -(-b)", "(a AND b)"}));

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
    ASSERT_FALSE(query) << GetParam().query;
    EXPECT_EQ(query.error().message, GetParam().message);
    EXPECT_EQ(query.error().offset, GetParam().offset);
}

INSTANTIATE_TEST_SUITE_P(
    Query, QueryRejects,
    testing::Values(
        InvalidCase{"Empty", "", 0, "empty query"}, InvalidCase{"Blank", "   ", 0, "empty query"},
        InvalidCase{"UnterminatedQuote", R"(a OR "Unit 61398)", 5, "unterminated quote"},
        InvalidCase{"DanglingOr", "a OR", 2, "expected a term after OR"},
        InvalidCase{"DanglingAnd", "a AND", 2, "expected a term after AND"},
        InvalidCase{"DanglingNot", "a NOT", 2, "expected a term after NOT"},
        InvalidCase{"LeadingOr", "OR a", 0, "expected a term before OR"},
        InvalidCase{"DoubleOr", "a OR OR b", 2, "expected a term after OR"},
        InvalidCase{"EmptyPhrase", R"(a OR "")", 5, "empty phrase"},
        InvalidCase{"BlankPhrase", R"(" - ")", 0, "empty phrase"},
        InvalidCase{"StrayClose", "(china OR russia)) hacker", 17, "unexpected ')'"},
        InvalidCase{"CloseFirst", ") a", 0, "unexpected ')'"},
        InvalidCase{"UnclosedOpen", "a (b OR c", 2, "missing ')' for this '('"},
        InvalidCase{"EmptyParentheses", "a ()", 2, "empty parentheses"},
        InvalidCase{"LowerCaseOr", "a or b", 2, "write the operator in capitals (OR), or quote the word (\"or\")"},
        InvalidCase{"LowerCaseNear", "a near/3 b", 2,
                    "write the operator in capitals (NEAR/3), or quote the word (\"near/3\")"},
        InvalidCase{"PunctuationOnly", "a OR !!", 5, "term \"!!\" has no letters or digits"},
        InvalidCase{"UnknownField", "a titel:b", 2,
                    "unknown field \"titel:\" (fields: title, summary, content, author, category, feed, link)"},
        InvalidCase{"FieldWithoutTerm", "title: a", 0, "expected a term after \"title:\""},
        InvalidCase{"DashAlone", "a - b", 2, "expected a term after '-'"},
        InvalidCase{"EqualsAlone", "= b", 0, "expected a word or phrase after '='"},
        InvalidCase{"StarInside", "cy*ber", 2, "'*' is allowed only at the end of a word"},
        InvalidCase{"ExactPrefix", "=cyber*", 6, "'*' cannot follow an exact '=' term"},
        InvalidCase{"StarAlone", "a *", 2, "term \"*\" has no letters or digits"},
        InvalidCase{"PrefixOfTwoWords", "u.s*", 0, "a prefix* must be one word of letters and digits"},
        InvalidCase{"NearWithoutDistance", "a NEAR b", 2, "NEAR needs a distance, as in NEAR/5"},
        InvalidCase{"NearTooFar", "a NEAR/500 b", 2, "NEAR needs a distance from 0 to 100, as in NEAR/5"},
        InvalidCase{"NearOfGroup", "(a OR b) NEAR/3 c", 9, "NEAR needs a word or phrase on each side"},
        InvalidCase{"NearOfGroupRight", "a NEAR/3 (b OR c)", 2, "NEAR needs a word or phrase on each side"},
        InvalidCase{"NearChained", "a NEAR/3 b NEAR/3 c", 11, "NEAR cannot be chained; join two NEARs with AND"},
        InvalidCase{"LeadingNear", "NEAR/3 b", 0, "expected a term before NEAR"},
        InvalidCase{"OnlyNegative", "-sport", 0, "the query needs at least one term that is not negated"},
        InvalidCase{"NegativeAlternative", "huawei OR -sport", 0,
                    "the query needs at least one term that is not negated"},
        InvalidCase{"TooDeep", std::string(100, '(') + "a" + std::string(100, ')'), 64, "query nested too deeply"}),
    [](const testing::TestParamInfo<InvalidCase>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace feedwatch::match
