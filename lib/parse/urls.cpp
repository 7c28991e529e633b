#include "parse/urls.hpp"

namespace feedwatch::parse {
namespace {

struct UriParts {
    std::string_view scheme;  // without ':'
    bool has_authority = false;
    std::string_view authority;
    std::string_view path;
    bool has_query = false;
    std::string_view query;
    bool has_fragment = false;
    std::string_view fragment;
};

bool is_scheme_char(char c, bool first)
{
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (first) {
        return alpha;
    }
    return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

std::string_view trim(std::string_view text)
{
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; };
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// RFC 3986 Appendix B, without a regex.
UriParts split(std::string_view uri)
{
    UriParts parts;
    const std::size_t hash = uri.find('#');
    if (hash != std::string_view::npos) {
        parts.has_fragment = true;
        parts.fragment = uri.substr(hash + 1);
        uri = uri.substr(0, hash);
    }
    const std::size_t question = uri.find('?');
    if (question != std::string_view::npos) {
        parts.has_query = true;
        parts.query = uri.substr(question + 1);
        uri = uri.substr(0, question);
    }
    const std::size_t colon = uri.find(':');
    if (colon != std::string_view::npos && colon > 0) {
        bool valid = true;
        for (std::size_t i = 0; i < colon && valid; ++i) {
            valid = is_scheme_char(uri[i], i == 0);
        }
        if (valid) {
            parts.scheme = uri.substr(0, colon);
            uri = uri.substr(colon + 1);
        }
    }
    if (uri.substr(0, 2) == "//") {
        parts.has_authority = true;
        const std::size_t slash = uri.find('/', 2);
        parts.authority = uri.substr(2, slash == std::string_view::npos ? std::string_view::npos : slash - 2);
        uri = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash);
    }
    parts.path = uri;
    return parts;
}

// RFC 3986 §5.2.4.
std::string remove_dot_segments(std::string_view input)
{
    std::string output;
    while (!input.empty()) {
        if (input.substr(0, 3) == "../") {
            input.remove_prefix(3);
        } else if (input.substr(0, 2) == "./") {
            input.remove_prefix(2);
        } else if (input.substr(0, 3) == "/./") {
            input.remove_prefix(2);
        } else if (input == "/.") {
            input = "/";
        } else if (input.substr(0, 4) == "/../" || input == "/..") {
            input = input.size() == 3 ? std::string_view{"/"} : input.substr(3);
            const std::size_t last = output.rfind('/');
            output.erase(last == std::string::npos ? 0 : last);
        } else if (input == "." || input == "..") {
            input = {};
        } else {
            const std::size_t next = input.find('/', input.front() == '/' ? 1 : 0);
            const std::size_t length = next == std::string_view::npos ? input.size() : next;
            output.append(input.substr(0, length));
            input.remove_prefix(length);
        }
    }
    return output;
}

// RFC 3986 §5.2.3.
std::string merge(const UriParts& base, std::string_view reference_path)
{
    if (base.has_authority && base.path.empty()) {
        return "/" + std::string(reference_path);
    }
    const std::size_t slash = base.path.rfind('/');
    if (slash == std::string_view::npos) {
        return std::string(reference_path);
    }
    return std::string(base.path.substr(0, slash + 1)) + std::string(reference_path);
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view reference)
{
    base = trim(base);
    reference = trim(reference);
    if (base.empty()) {
        return std::string(reference);
    }
    const UriParts ref = split(reference);
    const UriParts bas = split(base);

    std::string_view scheme;
    std::string_view authority;
    bool has_authority = false;
    std::string path;
    std::string_view query;
    bool has_query = false;
    if (!ref.scheme.empty()) {
        scheme = ref.scheme;
        has_authority = ref.has_authority;
        authority = ref.authority;
        path = remove_dot_segments(ref.path);
        has_query = ref.has_query;
        query = ref.query;
    } else {
        scheme = bas.scheme;
        if (ref.has_authority) {
            has_authority = true;
            authority = ref.authority;
            path = remove_dot_segments(ref.path);
            has_query = ref.has_query;
            query = ref.query;
        } else {
            has_authority = bas.has_authority;
            authority = bas.authority;
            if (ref.path.empty()) {
                path = std::string(bas.path);
                has_query = ref.has_query || bas.has_query;
                query = ref.has_query ? ref.query : bas.query;
            } else {
                path = ref.path.front() == '/' ? remove_dot_segments(ref.path) : remove_dot_segments(merge(bas, ref.path));
                has_query = ref.has_query;
                query = ref.query;
            }
        }
    }

    // RFC 3986 §5.3.
    std::string result;
    result.reserve(base.size() + reference.size());
    if (!scheme.empty()) {
        result.append(scheme);
        result.push_back(':');
    }
    if (has_authority) {
        result.append("//");
        result.append(authority);
    }
    result.append(path);
    if (has_query) {
        result.push_back('?');
        result.append(query);
    }
    if (ref.has_fragment) {
        result.push_back('#');
        result.append(ref.fragment);
    }
    return result;
}

std::string normalize_http_url(std::string_view url)
{
    const UriParts parts = split(url);
    const auto lower = [](std::string_view text) {
        std::string out(text);
        for (char& c : out) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return out;
    };
    const std::string scheme = lower(parts.scheme);
    if ((scheme != "http" && scheme != "https") || !parts.has_authority || parts.authority.empty()) {
        return std::string(url);
    }
    const std::size_t at = parts.authority.rfind('@');
    const std::string_view userinfo = at == std::string_view::npos ? std::string_view{} : parts.authority.substr(0, at + 1);
    const std::string_view host_port = at == std::string_view::npos ? parts.authority : parts.authority.substr(at + 1);
    std::string result = scheme + "://";
    result.append(userinfo);
    result.append(lower(host_port));  // a port is digits: lower-casing leaves it alone
    result.append(parts.path);
    if (parts.has_query) {
        result.push_back('?');
        result.append(parts.query);
    }
    if (parts.has_fragment) {
        result.push_back('#');
        result.append(parts.fragment);
    }
    return result;
}

}  // namespace feedwatch::parse

namespace feedwatch::parse {
namespace {

bool is_html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignore_case(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != b[i]) {
            return false;
        }
    }
    return true;
}

bool is_url_attribute(std::string_view name)
{
    for (const std::string_view candidate : {"href", "src", "cite", "action", "background", "longdesc", "usemap",
                                             "poster", "codebase", "data", "classid", "profile"}) {
        if (equals_ignore_case(name, candidate)) {
            return true;
        }
    }
    return false;
}

bool has_scheme(std::string_view reference)
{
    reference = trim(reference);
    const std::size_t colon = reference.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return false;
    }
    for (std::size_t i = 0; i < colon; ++i) {
        if (!is_scheme_char(reference[i], i == 0)) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string resolve_html_urls(std::string_view html, std::string_view base)
{
    if (trim(base).empty() || html.find('<') == std::string_view::npos) {
        return std::string(html);
    }
    std::string out;
    out.reserve(html.size() + html.size() / 8);
    std::size_t pos = 0;
    while (pos < html.size()) {
        const std::size_t open = html.find('<', pos);
        if (open == std::string_view::npos || open + 1 >= html.size()) {
            break;
        }
        if (html.compare(open, 4, "<!--") == 0) {
            const std::size_t close = html.find("-->", open + 4);
            const std::size_t end = close == std::string_view::npos ? html.size() : close + 3;
            out.append(html.substr(pos, end - pos));
            pos = end;
            continue;
        }
        const char first = html[open + 1];
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
            out.append(html.substr(pos, open + 1 - pos));
            pos = open + 1;
            continue;
        }
        // Copy through the tag name, then walk attributes until '>'.
        std::size_t cursor = open + 1;
        while (cursor < html.size() && !is_html_space(html[cursor]) && html[cursor] != '>' && html[cursor] != '/') {
            ++cursor;
        }
        out.append(html.substr(pos, cursor - pos));
        pos = cursor;
        while (cursor < html.size() && html[cursor] != '>') {
            if (is_html_space(html[cursor]) || html[cursor] == '/') {
                ++cursor;
                continue;
            }
            const std::size_t name_start = cursor;
            while (cursor < html.size() && !is_html_space(html[cursor]) && html[cursor] != '=' && html[cursor] != '>' &&
                   html[cursor] != '/') {
                ++cursor;
            }
            const std::string_view name = html.substr(name_start, cursor - name_start);
            std::size_t look = cursor;
            while (look < html.size() && is_html_space(html[look])) {
                ++look;
            }
            if (look >= html.size() || html[look] != '=') {
                continue;  // attribute without value
            }
            cursor = look + 1;
            while (cursor < html.size() && is_html_space(html[cursor])) {
                ++cursor;
            }
            if (cursor >= html.size()) {
                break;
            }
            std::size_t value_start = cursor;
            std::size_t value_end = cursor;
            std::size_t after = cursor;
            if (html[cursor] == '"' || html[cursor] == '\'') {
                const std::size_t close = html.find(html[cursor], cursor + 1);
                value_start = cursor + 1;
                value_end = close == std::string_view::npos ? html.size() : close;
                after = close == std::string_view::npos ? html.size() : close + 1;
            } else {
                while (value_end < html.size() && !is_html_space(html[value_end]) && html[value_end] != '>') {
                    ++value_end;
                }
                after = value_end;
            }
            const std::string_view value = html.substr(value_start, value_end - value_start);
            if (is_url_attribute(name) && !has_scheme(value) && !trim(value).empty()) {
                out.append(html.substr(pos, value_start - pos));
                out.append(resolve_url(base, value));
                pos = value_end;
            }
            cursor = after;
        }
        const std::size_t end = cursor < html.size() ? cursor + 1 : html.size();
        out.append(html.substr(pos, end - pos));
        pos = end;
    }
    if (pos < html.size()) {
        out.append(html.substr(pos));
    }
    return out;
}

bool is_safe_link(std::string_view url)
{
    url = trim(url);
    if (!has_scheme(url)) {
        return true;
    }
    const std::string_view scheme = url.substr(0, url.find(':'));
    return !(equals_ignore_case(scheme, "javascript") || equals_ignore_case(scheme, "vbscript") ||
             equals_ignore_case(scheme, "data"));
}

}  // namespace feedwatch::parse
