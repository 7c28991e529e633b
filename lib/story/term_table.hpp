#pragma once
// A string -> number table with open addressing: one probe sequence over a flat array of
// (hash tag, entry) slots and one string compare per hit, instead of a node per entry.
// The grouper looks up every word of every article, so this is its hottest table.
// Internal to lib/story.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace feedwatch::story {

class TermTable {
public:
    // The value stored for key, or k_absent.
    static constexpr std::uint32_t k_absent = 0xffffffffU;

    std::uint32_t find(std::string_view key) const
    {
        if (m_slots.empty()) {
            return k_absent;
        }
        const std::uint64_t hash = hash_of(key);
        const auto tag = static_cast<std::uint32_t>(hash >> 32U);
        for (std::size_t i = hash & m_mask;; i = (i + 1) & m_mask) {
            const Slot& slot = m_slots[i];
            if (slot.entry == 0) {
                return k_absent;
            }
            if (slot.tag == tag && m_entries[slot.entry - 1].first == key) {
                return m_entries[slot.entry - 1].second;
            }
        }
    }

    // Inserts key -> value unless key is present; returns the stored value and whether it
    // was inserted.
    std::pair<std::uint32_t, bool> insert(std::string_view key, std::uint32_t value)
    {
        if ((m_entries.size() + 1) * 2 > m_slots.size()) {
            grow();
        }
        const std::uint64_t hash = hash_of(key);
        const auto tag = static_cast<std::uint32_t>(hash >> 32U);
        for (std::size_t i = hash & m_mask;; i = (i + 1) & m_mask) {
            Slot& slot = m_slots[i];
            if (slot.entry == 0) {
                m_entries.emplace_back(std::string(key), value);
                slot = Slot{tag, static_cast<std::uint32_t>(m_entries.size())};
                return {value, true};
            }
            if (slot.tag == tag && m_entries[slot.entry - 1].first == key) {
                return {m_entries[slot.entry - 1].second, false};
            }
        }
    }

    // Entries in insertion order.
    std::size_t size() const { return m_entries.size(); }
    const std::string& key(std::size_t entry) const { return m_entries[entry].first; }
    void clear()
    {
        m_entries.clear();
        m_slots.assign(m_slots.size(), Slot{});
    }

private:
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t entry = 0;  // index into m_entries + 1; 0 for an empty slot
    };

    static std::uint64_t hash_of(std::string_view key)
    {
        // std::hash is not persisted anywhere: only placement in this table depends on it.
        std::uint64_t hash = std::hash<std::string_view>{}(key);
        hash ^= hash >> 29U;
        return hash * 0xbf58476d1ce4e5b9ULL;
    }

    void grow()
    {
        const std::size_t size = m_slots.empty() ? 1024 : m_slots.size() * 2;
        m_slots.assign(size, Slot{});
        m_mask = size - 1;
        for (std::size_t entry = 0; entry < m_entries.size(); ++entry) {
            const std::uint64_t hash = hash_of(m_entries[entry].first);
            std::size_t i = hash & m_mask;
            while (m_slots[i].entry != 0) {
                i = (i + 1) & m_mask;
            }
            m_slots[i] = Slot{static_cast<std::uint32_t>(hash >> 32U), static_cast<std::uint32_t>(entry + 1)};
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::vector<std::pair<std::string, std::uint32_t>> m_entries;
};

}  // namespace feedwatch::story
