// Full-parse throughput: reads each feed file of a list and runs parse::parse_feed on it
// (encodings, entities, dates, URLs, the gumbo `text`: everything the daemon gets); the
// time covers reading and parsing, as the kit's pugixml walk times reading and walking. Prints one line: files, bytes, items, seconds, MB/s, items/s.
//
//   parse_bench FILES_TXT [--repeat N]      FILES_TXT: one path a line (gen_corpus.py files.txt)
//   parse_bench --json FILE [--content-type CT] [--base URL]
//                                           the JSON of `feedwatch parse --json`, from the
//                                           parse library alone (for conformance runs)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "parse/feed_json.hpp"
#include "parse/parser.hpp"

namespace {

// One sized read into contents (its capacity reused from file to file), as the kit's
// pugixml walk reads: the bench compares parsers, not iostream copies.
void read_file(const std::string& path, std::string& contents)
{
    contents.clear();
    std::FILE* in = std::fopen(path.c_str(), "rb");
    if (in == nullptr) {
        return;
    }
    if (std::fseek(in, 0, SEEK_END) == 0) {
        const long size = std::ftell(in);
        std::rewind(in);
        if (size > 0) {
            contents.resize(static_cast<std::size_t>(size));
            contents.resize(std::fread(contents.data(), 1, contents.size(), in));
        }
    }
    std::fclose(in);
}

std::string read_file(const std::string& path)
{
    std::string contents;
    read_file(path, contents);
    return contents;
}

int print_json(int argc, char** argv)
{
    std::string file;
    std::string content_type;
    std::string base;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--content-type" && i + 1 < argc) {
            content_type = argv[++i];
        } else if (arg == "--base" && i + 1 < argc) {
            base = argv[++i];
        } else if (arg != "--json") {
            file = arg;
        }
    }
    const std::string body = read_file(file);
    const auto parsed = feedwatch::parse::parse_feed(body, {content_type, base});
    if (!parsed) {
        std::cerr << file << ": " << parsed.error().detail << '\n';
        return 65;
    }
    std::cout << feedwatch::parse::to_json(*parsed) << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc >= 2 && std::string(argv[1]) == "--json") {
        return print_json(argc, argv);
    }
    if (argc < 2) {
        std::cerr << "usage: parse_bench FILES_TXT [--repeat N] | parse_bench --json FILE [--content-type CT] [--base URL]\n";
        return 64;
    }
    int repeat = 1;
    if (argc >= 4 && std::string(argv[2]) == "--repeat") {
        repeat = std::max(1, std::stoi(argv[3]));
    }
    std::vector<std::string> paths;
    std::ifstream list(argv[1]);
    for (std::string path; std::getline(list, path);) {
        if (!path.empty()) {
            paths.push_back(path);
        }
    }
    std::size_t bytes = 0;
    std::size_t items = 0;
    std::size_t failures = 0;
    std::string document;
    const auto start = std::chrono::steady_clock::now();
    for (int round = 0; round < repeat; ++round) {
        for (const std::string& path : paths) {
            read_file(path, document);
            bytes += document.size();
            const auto parsed = feedwatch::parse::parse_feed(document);
            if (parsed) {
                items += parsed->items.size();
            } else {
                ++failures;
            }
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto total_bytes = static_cast<double>(bytes);
    std::printf("files %zu bytes %.0f items %zu failures %zu seconds %.3f MB/s %.1f items/s %.0f\n",
                paths.size() * static_cast<std::size_t>(repeat), total_bytes, items, failures, seconds,
                total_bytes / seconds / 1e6, static_cast<double>(items) / seconds);
    return failures == 0 ? 0 : 1;
}
