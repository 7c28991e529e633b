#pragma once
// Internal to config: reads typed values out of a parsed TOML document and turns every
// problem into a ConfigError at the position of the offending key or value.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"

namespace feedwatch::config::detail {

struct Located {
    std::string value;
    Location where;
};

class TomlReader {
public:
    // text is the file's content as parsed; it is used to find positions inside strings.
    TomlReader(std::filesystem::path file, std::string_view text, std::vector<ConfigError>& errors);

    const std::filesystem::path& file() const { return m_file.path(); }
    Location at(const toml::source_region& region) const;
    Location at(const toml::node& node) const { return at(node.source()); }
    Location at(const toml::key& key) const { return at(key.source()); }
    Location file_location() const { return Location{m_file, 0, 0}; }

    void error(Location where, std::string message);

    // Reports every key of table that is not allowed; context ends the message (" in [fetch]").
    void reject_unknown_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                             std::string_view context);
    // The value of key, or an error "<what>: missing required key "<key>"" at the table.
    const toml::node* require(const toml::table& table, std::string_view key, std::string_view what);

    // Typed values; on a wrong type or bad value, report "<what>: ..." at the value, nullopt.
    std::optional<std::string> string(const toml::node& node, std::string_view what);
    std::optional<bool> boolean(const toml::node& node, std::string_view what);
    std::optional<Seconds> duration(const toml::node& node, std::string_view what);
    std::optional<std::uint64_t> size(const toml::node& node, std::string_view what);
    std::optional<std::vector<Located>> strings(const toml::node& node, std::string_view what);
    // An array of tables ([[name]]), or an error.
    const toml::array* tables(const toml::node& node, std::string_view what);

    // Where the character at byte_offset of a string value's content sits in the file.
    Location inside_string(const toml::node& node, std::size_t byte_offset) const;

private:
    SourceFile m_file;  // shared by every Location this reader makes
    std::string_view m_text;
    std::vector<std::size_t> m_line_starts;
    std::vector<ConfigError>& m_errors;
};

// "string", "integer", "table", ... as a user reads it.
std::string_view type_name(const toml::node& node);

}  // namespace feedwatch::config::detail
