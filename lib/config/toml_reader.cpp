#include "config/toml_reader.hpp"

#include <algorithm>

namespace feedwatch::config::detail {
namespace {

bool is_continuation(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string in_quotes(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

}  // namespace

std::string_view type_name(const toml::node& node)
{
    switch (node.type()) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "floating-point number";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    }
    return "unknown";
}

TomlReader::TomlReader(std::filesystem::path file, std::string_view text, std::vector<ConfigError>& errors)
    : m_file(std::move(file)), m_text(text), m_errors(errors)
{
    m_line_starts.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            m_line_starts.push_back(i + 1);
        }
    }
}

Location TomlReader::at(const toml::source_region& region) const
{
    return Location{m_file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

void TomlReader::error(Location where, std::string message)
{
    m_errors.push_back(ConfigError{std::move(where), std::move(message)});
}

void TomlReader::reject_unknown_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                                     std::string_view context)
{
    for (const auto& [key, value] : table) {
        if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
            error(at(key), "unknown key " + in_quotes(key.str()) + std::string(context));
        }
    }
}

const toml::node* TomlReader::require(const toml::table& table, std::string_view key, std::string_view what)
{
    const toml::node* node = table.get(key);
    if (node == nullptr) {
        error(at(table), std::string(what) + ": missing required key " + in_quotes(key));
    }
    return node;
}

std::optional<std::string> TomlReader::string(const toml::node& node, std::string_view what)
{
    if (const auto* value = node.as_string()) {
        return value->get();
    }
    error(at(node), std::string(what) + ": expected a string, got " + std::string(type_name(node)));
    return std::nullopt;
}

std::optional<bool> TomlReader::boolean(const toml::node& node, std::string_view what)
{
    if (const auto* value = node.as_boolean()) {
        return value->get();
    }
    error(at(node), std::string(what) + ": expected true or false, got " + std::string(type_name(node)));
    return std::nullopt;
}

std::optional<Seconds> TomlReader::duration(const toml::node& node, std::string_view what)
{
    const auto* value = node.as_string();
    if (value == nullptr) {
        error(at(node), std::string(what) + ": expected a duration string such as \"15m\", got " +
                            std::string(type_name(node)));
        return std::nullopt;
    }
    auto parsed = parse_duration(value->get());
    if (!parsed) {
        error(at(node), std::string(what) + ": invalid duration " + in_quotes(value->get()) +
                            " (expected e.g. \"90s\", \"15m\", \"1h30m\", \"2d\")");
    }
    return parsed;
}

std::optional<std::uint64_t> TomlReader::size(const toml::node& node, std::string_view what)
{
    if (const auto* integer = node.as_integer()) {
        if (integer->get() >= 0) {
            return static_cast<std::uint64_t>(integer->get());
        }
        error(at(node), std::string(what) + ": size must not be negative");
        return std::nullopt;
    }
    const auto* value = node.as_string();
    if (value == nullptr) {
        error(at(node), std::string(what) + ": expected a size such as \"16MiB\", got " + std::string(type_name(node)));
        return std::nullopt;
    }
    auto parsed = parse_size(value->get());
    if (!parsed) {
        error(at(node), std::string(what) + ": invalid size " + in_quotes(value->get()) +
                            " (expected e.g. \"16MiB\", \"512KiB\", \"10MB\", \"1000\")");
    }
    return parsed;
}

std::optional<std::vector<Located>> TomlReader::strings(const toml::node& node, std::string_view what)
{
    const auto* array = node.as_array();
    if (array == nullptr) {
        error(at(node), std::string(what) + ": expected an array of strings, got " + std::string(type_name(node)));
        return std::nullopt;
    }
    std::vector<Located> out;
    bool ok = true;
    for (const auto& element : *array) {
        if (const auto* value = element.as_string()) {
            out.push_back(Located{value->get(), at(element)});
        } else {
            error(at(element), std::string(what) + ": expected a string, got " + std::string(type_name(element)));
            ok = false;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

const toml::array* TomlReader::tables(const toml::node& node, std::string_view what)
{
    const auto* array = node.as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
        error(at(node), std::string(what) + ": expected an array of tables ([[" + std::string(what) + "]]), got " +
                            std::string(type_name(node)));
        return nullptr;
    }
    return array;
}

Location TomlReader::inside_string(const toml::node& node, std::size_t byte_offset) const
{
    Location where = at(node);
    const auto* value = node.as_string();
    const auto line_index = static_cast<std::size_t>(where.line) - 1;
    if (value == nullptr || where.line < 1 || line_index >= m_line_starts.size()) {
        return where;
    }
    // Find the opening delimiter: toml++ columns count code points.
    std::size_t pos = m_line_starts[line_index];
    for (int column = 1; column < where.column && pos < m_text.size(); ++column) {
        ++pos;
        while (pos < m_text.size() && is_continuation(m_text[pos])) {
            ++pos;
        }
    }
    const std::string_view rest = m_text.substr(std::min(pos, m_text.size()));
    if (rest.empty() || (rest[0] != '"' && rest[0] != '\'')) {
        return where;
    }
    const bool basic = rest[0] == '"';
    const bool multi_line = rest.substr(0, 3) == "\"\"\"" || rest.substr(0, 3) == "'''";
    std::size_t delimiter = multi_line ? 3 : 1;
    pos += delimiter;
    where.column += static_cast<int>(delimiter);
    if (multi_line) {  // a newline right after the opening delimiter is not part of the value
        if (m_text.substr(pos, 1) == "\n") {
            pos += 1;
            ++where.line;
            where.column = 1;
        } else if (m_text.substr(pos, 2) == "\r\n") {
            pos += 2;
            ++where.line;
            where.column = 1;
        }
    }

    // Walk the raw text one value character at a time until byte_offset of the value.
    const std::string_view content = value->get();
    std::size_t characters = 0;
    for (std::size_t i = 0; i < std::min(byte_offset, content.size()); ++i) {
        characters += is_continuation(content[i]) ? 0 : 1;
    }
    while (characters > 0 && pos < m_text.size()) {
        const char c = m_text[pos];
        if (basic && c == '\\' && pos + 1 < m_text.size()) {
            const char escaped = m_text[pos + 1];
            std::size_t length = escaped == 'u' ? 6 : escaped == 'U' ? 10 : 2;
            if (escaped == '\n' || escaped == '\r' || escaped == ' ' || escaped == '\t') {
                // Line-ending backslash: trims whitespace and newlines, adds nothing.
                ++pos;
                ++where.column;
                while (pos < m_text.size() &&
                       (m_text[pos] == ' ' || m_text[pos] == '\t' || m_text[pos] == '\r' || m_text[pos] == '\n')) {
                    if (m_text[pos] == '\n') {
                        ++where.line;
                        where.column = 1;
                    } else {
                        ++where.column;
                    }
                    ++pos;
                }
                continue;
            }
            pos += length;
            where.column += static_cast<int>(length);
        } else if (c == '\n') {
            ++pos;
            ++where.line;
            where.column = 1;
        } else {
            ++pos;
            while (pos < m_text.size() && is_continuation(m_text[pos])) {
                ++pos;
            }
            ++where.column;
        }
        --characters;
    }
    return where;
}

}  // namespace feedwatch::config::detail
