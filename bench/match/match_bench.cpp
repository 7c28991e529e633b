// Matching throughput: one watchlist per term, every article of a text file (one a line).
//
//   match_bench --terms TERMS.txt [--runs N] [--unindexed | --verdicts] ARTICLES.txt
//
// TERMS.txt is gen_terms.py's `terms` format (one term a line; a line with a space becomes a
// "quoted phrase"), so the same files feed `grep -F -i -c -f TERMS.txt ARTICLES.txt`.
// Prints one line to stdout: articles matched, then figures to stderr: build time, and for the
// matching alone articles/s and MB/s (median of --runs passes over the text). By default every
// hit is built as a full alert (Matcher::match: names, terms, snippets); --verdicts stops at
// Matcher::find, which decides which watchlists match and what they would show, without
// building any alert text (what the daemon pays for a watchlist that notifies nobody).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "match/matcher.hpp"

namespace {

using namespace feedwatch;
using Clock = std::chrono::steady_clock;

int usage()
{
    std::cerr << "usage: match_bench --terms TERMS.txt [--runs N] [--unindexed | --verdicts] ARTICLES.txt\n";
    return 64;
}

std::vector<std::string> read_lines(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cerr << "match_bench: cannot open " << path << '\n';
        std::exit(66);
    }
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

double thread_cpu_seconds()
{
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv)
{
    std::string terms_path;
    std::string articles_path;
    int runs = 3;
    bool unindexed = false;
    bool verdicts = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--terms" && i + 1 < argc) {
            terms_path = argv[++i];
        } else if (arg == "--runs" && i + 1 < argc) {
            runs = std::max(1, std::atoi(argv[++i]));
        } else if (arg == "--unindexed") {
            unindexed = true;
        } else if (arg == "--verdicts") {
            verdicts = true;
        } else if (articles_path.empty() && arg.rfind("--", 0) != 0) {
            articles_path = arg;
        } else {
            return usage();
        }
    }
    if (terms_path.empty() || articles_path.empty() || (unindexed && verdicts)) {
        return usage();
    }

    const auto build_start = Clock::now();
    std::vector<match::WatchlistSpec> specs;
    for (const auto& term : read_lines(terms_path)) {
        if (term.empty()) {
            continue;
        }
        const std::string text = term.find(' ') == std::string::npos ? term : "\"" + term + "\"";
        auto query = match::Query::parse(text);
        if (!query) {
            std::cerr << "match_bench: " << terms_path << ": " << text << ": " << query.error().message << '\n';
            return 65;
        }
        specs.push_back(match::WatchlistSpec{"w" + std::to_string(specs.size()), std::move(*query), {}, "english", {}});
    }
    const std::size_t watchlists = specs.size();
    const match::Matcher matcher(std::move(specs));
    const double build_seconds = std::chrono::duration<double>(Clock::now() - build_start).count();

    std::vector<model::Item> items;
    std::size_t bytes = 0;
    for (auto& line : read_lines(articles_path)) {
        bytes += line.size() + 1;
        model::Item item;
        item.text = std::move(line);
        items.push_back(std::move(item));
    }

    std::vector<double> seconds;
    std::vector<double> cpu_seconds;  // this thread's CPU time: less disturbed by other load than the wall clock
    std::size_t matched_articles = 0;
    std::size_t hits = 0;
    for (int run = 0; run < runs; ++run) {
        matched_articles = 0;
        hits = 0;
        const auto start = Clock::now();
        const double cpu_start = thread_cpu_seconds();
        for (const auto& item : items) {
            const std::size_t found = verdicts    ? matcher.find(item).size()
                                      : unindexed ? matcher.match_unindexed(item).size()
                                                  : matcher.match(item).size();
            matched_articles += found == 0 ? 0 : 1;
            hits += found;
        }
        seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        cpu_seconds.push_back(thread_cpu_seconds() - cpu_start);
    }
    std::sort(seconds.begin(), seconds.end());
    std::sort(cpu_seconds.begin(), cpu_seconds.end());
    const double median = seconds[seconds.size() / 2];
    const double cpu_median = cpu_seconds[cpu_seconds.size() / 2];
    std::cout << matched_articles << '\n';
    std::cerr << "match_bench: " << watchlists << " watchlists built in " << build_seconds << " s; "
              << items.size() << " articles, " << static_cast<double>(bytes) / 1e6 << " MB; matching: " << median
              << " s = " << static_cast<double>(items.size()) / median << " articles/s, "
              << static_cast<double>(bytes) / 1e6 / median << " MB/s (CPU time " << cpu_median << " s = "
              << static_cast<double>(items.size()) / cpu_median << " articles/s); " << matched_articles << " articles matched, "
              << hits << (verdicts ? " hits (no alert built)\n" : " alerts\n");
    return 0;
}
