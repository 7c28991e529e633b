// Articles per second through story grouping with 1,000, 10,000 and 100,000 open stories,
// and the memory an open story holds. Generated articles: every story has its own names and
// an identifier; words come from a shared vocabulary with a Zipf-like skew.
//   story_bench [ARTICLES_TIMED [OPEN_STORIES...]]   (default 20000; 1000 10000 100000)
// Each size runs twice on a fresh grouper: one thread, then two (features computed by a
// worker thread ahead of the assigning thread).
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "story/grouper.hpp"

namespace {

using feedwatch::story::ArticleInput;
using feedwatch::story::Grouper;

std::string pseudo_word(std::mt19937& random, int syllables)
{
    static constexpr const char* k_syllables[] = {"ka", "lo",  "mer", "sin", "tra", "vel", "dor",  "pen", "ri", "gus",
                                                  "an", "bel", "cor", "fi",  "ho",  "jun", "ment", "nor", "ol", "ste"};
    std::string word;
    for (int i = 0; i < syllables; ++i) {
        word += k_syllables[random() % 20];
    }
    return word;
}

struct Generator {
    std::mt19937 random{42};
    std::vector<std::string> vocabulary;

    Generator()
    {
        for (int i = 0; i < 5000; ++i) {
            vocabulary.push_back(pseudo_word(random, 2 + static_cast<int>(random() % 3)));
        }
    }

    // Skewed towards the start of the vocabulary, as word use is.
    const std::string& common_word()
    {
        std::uniform_real_distribution<double> unit(0, 1);
        const auto index =
            static_cast<std::size_t>(static_cast<double>(vocabulary.size()) * unit(random) * unit(random));
        return vocabulary[index];
    }

    struct StoryKey {
        std::string names[3];
        std::string number;
    };

    StoryKey story_key(std::size_t story)
    {
        // Unique per story: the story's number spelled in syllables (base 20), capitalized.
        static constexpr const char* k_letters[] = {"ba", "de", "fi", "go", "hu", "ja", "ke", "li", "mo", "nu",
                                                    "pa", "re", "si", "to", "vu", "wa", "xe", "yi", "zo", "qu"};
        StoryKey key;
        for (std::size_t i = 0; i < 3; ++i) {
            std::size_t value = story * 3 + i;
            std::string name;
            for (int digit = 0; digit < 5; ++digit) {
                name += k_letters[value % 20];
                value /= 20;
            }
            name[0] = static_cast<char>(name[0] - 'a' + 'A');
            key.names[i] = name;
        }
        key.number = std::to_string(10000 + story);
        return key;
    }

    struct Article {
        std::string id, title, text, source;
    };

    Article article(std::size_t story, std::size_t serial)
    {
        const StoryKey key = story_key(story);
        Article out;
        out.id = "a" + std::to_string(serial);
        out.source = "outlet" + std::to_string(serial % 50) + ".example";
        out.title = key.names[0] + " " + common_word() + " " + common_word() + " " + key.names[1] + " " + common_word();
        for (int sentence = 0; sentence < 8; ++sentence) {
            out.text += "The ";
            for (int word = 0; word < 14; ++word) {
                if (word == 3) {
                    out.text += key.names[(sentence + serial) % 3] + " ";
                } else if (word == 9 && sentence % 3 == 0) {
                    out.text += key.number + " ";
                } else {
                    out.text += common_word() + " ";
                }
            }
            out.text.back() = '.';
            out.text += ' ';
        }
        return out;
    }
};

// CPU seconds of this process: on a shared machine, wall time also counts other processes' turns.
double cpu_seconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long resident_kib()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::atol(line.c_str() + 6);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t timed = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
    std::printf("%-8s %-14s %-12s %-16s %-8s %-12s %-14s\n", "threads", "open stories", "articles/s", "articles/CPU-s",
                "joined", "bytes/story", "RSS KiB/story");
    std::vector<std::size_t> sizes{1000, 10000, 100000};
    if (argc > 2) {
        sizes.clear();
        for (int i = 2; i < argc; ++i) {
            sizes.push_back(std::strtoul(argv[i], nullptr, 10));
        }
    }
    for (const std::size_t open : sizes) {
        for (const std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
            Generator generator;
            const long rss_before = resident_kib();
            Grouper grouper;
            const auto start_time = feedwatch::core::Instant(std::chrono::seconds(1'790'000'000));
            std::size_t serial = 0;
            for (std::size_t story = 0; story < open; ++story) {
                const auto article = generator.article(story, serial++);
                grouper.assign(ArticleInput{article.id, article.title, article.text, article.source, start_time});
            }
            const long rss_filled = resident_kib();
            const std::size_t opened = grouper.open_stories();

            // Timed: follow-ups to random open stories, one in four a new story.
            std::vector<Generator::Article> articles;
            articles.reserve(timed);
            std::mt19937 pick(7);
            std::size_t next_story = open;
            for (std::size_t i = 0; i < timed; ++i) {
                const std::size_t story = i % 4 == 3 ? next_story++ : pick() % open;
                articles.push_back(generator.article(story, serial++));
            }
            std::size_t joined = 0;
            const auto begin = std::chrono::steady_clock::now();
            const double cpu_begin = cpu_seconds();
            if (threads == 1) {
                for (const auto& article : articles) {
                    const auto assignment = grouper.assign(
                        ArticleInput{article.id, article.title, article.text, article.source, start_time});
                    joined += assignment.outcome == feedwatch::story::Outcome::joined ? 1 : 0;
                }
            } else {
                // As the daemon could: a worker computes features (prepare() is thread-safe) ahead of
                // this thread, which assigns in arrival order.
                std::vector<feedwatch::story::PreparedArticle> prepared(articles.size());
                std::atomic<std::size_t> ready{0};
                std::thread worker([&] {
                    for (std::size_t i = 0; i < articles.size(); ++i) {
                        prepared[i] = feedwatch::story::prepare(articles[i].title, articles[i].text);
                        ready.store(i + 1, std::memory_order_release);
                    }
                });
                for (std::size_t i = 0; i < articles.size(); ++i) {
                    while (ready.load(std::memory_order_acquire) <= i) {
                        std::this_thread::yield();
                    }
                    const auto& article = articles[i];
                    const auto assignment = grouper.assign(
                        ArticleInput{article.id, article.title, article.text, article.source, start_time}, prepared[i]);
                    joined += assignment.outcome == feedwatch::story::Outcome::joined ? 1 : 0;
                }
                worker.join();
            }
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
            const double cpu = cpu_seconds() - cpu_begin;
            std::printf("%-8zu %-14zu %-12.0f %-16.0f %-8.3f %-12zu %-14.2f\n", threads, opened,
                        static_cast<double>(timed) / seconds, static_cast<double>(timed) / cpu,
                        static_cast<double>(joined) / static_cast<double>(timed), grouper.approximate_bytes_per_story(),
                        static_cast<double>(rss_filled - rss_before) / static_cast<double>(opened));
        }
    }
    return 0;
}
