#pragma once
// Bytes of every value, the same for the same seed: what the relays must carry unchanged.
#include <cstddef>
#include <random>
#include <string>

namespace machine::test {

inline std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 generator(seed);
    std::string data(size, '\0');
    for (auto &byte : data)
        byte = char(generator());
    return data;
}

} // namespace machine::test
