#include "api/alert_cache.hpp"

#include <algorithm>
#include <utility>

namespace feedwatch::api {

AlertCache::AlertCache(std::size_t capacity) : m_capacity(std::max<std::size_t>(capacity, 1))
{
    m_by_sequence.reserve(m_capacity);
}

const RenderedAlert* AlertCache::find(std::uint64_t sequence)
{
    const auto found = m_by_sequence.find(sequence);
    if (found == m_by_sequence.end()) {
        return nullptr;
    }
    m_entries.splice(m_entries.begin(), m_entries, found->second);
    return &*found->second;
}

const RenderedAlert& AlertCache::insert(RenderedAlert alert)
{
    if (const auto found = m_by_sequence.find(alert.sequence); found != m_by_sequence.end()) {
        m_entries.erase(found->second);
        m_by_sequence.erase(found);
    }
    m_entries.push_front(std::move(alert));
    m_by_sequence.emplace(m_entries.front().sequence, m_entries.begin());
    while (m_by_sequence.size() > m_capacity) {
        m_by_sequence.erase(m_entries.back().sequence);
        m_entries.pop_back();
    }
    return m_entries.front();
}

}  // namespace feedwatch::api
