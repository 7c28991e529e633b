// Dependencies between stages point one way, towards core and model. This test reads every
// #include "stage/..." line under lib/ and checks it against the table below (and its
// transitive closure), so a stray include fails CI instead of tangling the stages.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace {

const std::map<std::string, std::set<std::string>>& direct_dependencies()
{
    static const std::map<std::string, std::set<std::string>> k_table{
        {"core", {}},
        {"model", {"core"}},
        {"normalize", {"core"}},
        {"match", {"normalize", "model"}},
        {"config", {"match", "parse"}},  // parse: OPML feed_files
        {"parse", {"model"}},
        {"http", {"core"}},
        {"serve", {"core"}},
        {"fetch", {"http"}},
        {"store", {"model"}},
        {"metrics", {}},
        {"deliver", {"store", "http"}},
        {"story", {"normalize", "model"}},
        {"api", {"store", "match", "config", "serve", "model", "core"}},
        {"pipeline", {"config", "fetch", "parse", "match", "store", "deliver", "metrics", "serve", "story", "api"}},
        {"demo", {"serve", "deliver"}},
        {"cli", {"config", "parse", "fetch", "http", "demo", "match", "store", "deliver", "story"}},
    };
    return k_table;
}

std::set<std::string> allowed(const std::string& stage)
{
    std::set<std::string> result{stage};
    std::vector<std::string> pending{stage};
    while (!pending.empty()) {
        const std::string next = pending.back();
        pending.pop_back();
        const auto it = direct_dependencies().find(next);
        if (it == direct_dependencies().end()) {
            continue;
        }
        for (const auto& dependency : it->second) {
            if (result.insert(dependency).second) {
                pending.push_back(dependency);
            }
        }
    }
    return result;
}

TEST(Architecture, EveryStageIsInTheDependencyTable)
{
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(FEEDWATCH_SOURCE_DIR) / "lib")) {
        if (entry.is_directory()) {
            EXPECT_TRUE(direct_dependencies().count(entry.path().filename().string()))
                << "lib/" << entry.path().filename().string() << " is missing from the table in " << __FILE__;
        }
    }
}

TEST(Architecture, StagesIncludeOnlyTheStagesTheyDependOn)
{
    const std::filesystem::path lib = std::filesystem::path(FEEDWATCH_SOURCE_DIR) / "lib";
    int checked = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(lib)) {
        const auto extension = entry.path().extension();
        if (!entry.is_regular_file() || (extension != ".hpp" && extension != ".cpp")) {
            continue;
        }
        const std::string stage = std::filesystem::relative(entry.path(), lib).begin()->string();
        const std::set<std::string> permitted = allowed(stage);
        std::ifstream in(entry.path());
        int line_number = 0;
        for (std::string line; std::getline(in, line);) {
            ++line_number;
            if (line.rfind("#include \"", 0) != 0) {
                continue;
            }
            const auto slash = line.find('/', 10);
            if (slash == std::string::npos) {
                continue;
            }
            const std::string included = line.substr(10, slash - 10);
            ++checked;
            EXPECT_TRUE(permitted.count(included))
                << entry.path().string() << ":" << line_number << ": stage " << stage << " includes " << included;
        }
    }
    EXPECT_GT(checked, 50);
}

}  // namespace
