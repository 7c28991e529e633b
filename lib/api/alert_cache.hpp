#pragma once
// Rendered alerts by history sequence, so that a listing parses and renders a history row
// once instead of on every request. A history row never changes once written, so an entry
// never goes stale; the delivery state, which does change, is not in it.
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "api/alert_json.hpp"

namespace feedwatch::api {

// Least recently used entries are dropped past capacity. Not thread-safe: the API runs on the
// io_context thread.
class AlertCache {
public:
    explicit AlertCache(std::size_t capacity);

    // The entry for sequence, now the most recently used; nullptr when absent.
    const RenderedAlert* find(std::uint64_t sequence);
    // Stores alert as the most recently used (replacing an entry with its sequence) and drops
    // the least recently used past capacity. The reference is valid until the next insert.
    const RenderedAlert& insert(RenderedAlert alert);

    std::size_t size() const { return m_by_sequence.size(); }
    std::size_t capacity() const { return m_capacity; }

private:
    std::size_t m_capacity;
    std::list<RenderedAlert> m_entries;  // most recently used first
    std::unordered_map<std::uint64_t, std::list<RenderedAlert>::iterator> m_by_sequence;
};

}  // namespace feedwatch::api
