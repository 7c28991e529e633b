#pragma once
// Text normalization shared by matching and snippets. Pure.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace feedwatch::normalize {

// A word of the input: its folded form and where it sits in the original bytes.
struct Token {
    std::string folded;      // NFKC case-folded, accents removed
    std::size_t begin = 0;   // byte offset in the original text
    std::size_t end = 0;     // one past the last byte
};

// NFKC case folding with accents stripped (utf8proc). Invalid UTF-8 bytes become U+FFFD.
std::string fold(std::string_view text);

// Splits text into words, folded, in linear time. A word is a run of letters and numbers
// (Unicode L* and N*); combining marks and format characters (soft hyphen, ZWJ) inside a word
// stay in it. Everything else separates words, so "don't" is "don" + "t", "U.S." is "u" + "s"
// and "Huawei's" is "huawei" + "s"; queries are tokenized the same way, so phrases still
// match. Offsets are into text as given; invalid UTF-8 bytes separate words. Scripts written
// without spaces (Chinese, Japanese, Thai) give one word per run of letters, so a query term
// matches only a whole run there.
std::vector<Token> tokenize(std::string_view text);

// The words of tokenize(), one at a time, without a string per word: a word that is already
// folded (lower-case ASCII, most words) is a view into text; others are folded into a buffer
// the scanner reuses. folded() stays valid until the next call to next().
class WordScanner {
public:
    explicit WordScanner(std::string_view text) : m_text(text) {}

    // Moves to the next word; false when there is none.
    bool next();
    std::string_view folded() const { return m_folded; }
    // Whether folded() is a view into the text itself (the word was folded already), which
    // stays valid as long as the text does.
    bool folded_in_text() const { return m_folded.data() != m_buffer.data(); }
    std::size_t begin() const { return m_begin; }  // byte offset in text
    std::size_t end() const { return m_end; }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    std::string_view m_folded;
    std::string m_buffer;
};

// Plain text of an HTML fragment, in one linear pass, for fields the parser kept as HTML:
// tags removed (block-level tags and <br> become a space, inline ones nothing, so
// "Hua<b>wei</b>" stays one word), <script> and <style> content dropped, the basic entities
// (&amp; &lt; &gt; &quot; &apos; &nbsp; and numeric ones) decoded. Text without '<' or '&'
// comes back unchanged.
std::string strip_markup(std::string_view html);

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string repair_utf8(std::string_view text);

// At most max_bytes bytes of text around [begin, end), cut on UTF-8 and word boundaries,
// with "…" where it was cut; whitespace collapsed.
std::string snippet(std::string_view text, std::size_t begin, std::size_t end, std::size_t max_bytes = 160);

}  // namespace feedwatch::normalize
