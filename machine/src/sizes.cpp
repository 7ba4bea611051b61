#include "machine/sizes.h"

#include "machine/errors.h"
#include "machine/printable.h"

#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <optional>
#include <string>

namespace machine {

namespace {

struct Quantity {
    std::uint64_t number;
    std::string unit; // upper-cased, "" when absent
};

// Splits "512MiB" into 512 and "MIB"; nullopt when there is no leading whole number.
std::optional<Quantity> split_quantity(std::string_view text) {
    std::uint64_t number = 0;
    auto [rest, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc::result_out_of_range)
        return Quantity{UINT64_MAX, "overflow"};
    if (ec != std::errc() || rest == text.data())
        return std::nullopt;
    std::string unit(rest, text.data() + text.size());
    for (auto &c : unit)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return Quantity{number, unit};
}

// How many `base` units one `unit` holds (shift in powers of 1024); nullopt if unknown.
std::optional<int> unit_shift(const std::string &unit, int base_shift) {
    static const std::pair<const char *, int> units[] = {
        {"K", 10}, {"KB", 10}, {"KIB", 10}, {"M", 20}, {"MB", 20}, {"MIB", 20},
        {"G", 30}, {"GB", 30}, {"GIB", 30}, {"T", 40}, {"TB", 40}, {"TIB", 40}};
    for (auto [name, shift] : units)
        if (unit == name)
            return shift - base_shift;
    return std::nullopt;
}

// Converts to the flag's base unit (MiB = 20, GiB = 30); throws on junk, overflow or fractions.
std::uint64_t parse_size(std::string_view text, std::string_view flag, int base_shift,
                         std::uint64_t max, const char *examples) {
    auto quantity = split_quantity(text);
    auto shown = printable(text);
    if (quantity && quantity->unit == "overflow")
        throw InvalidInput(std::string(flag), fmt::format("{}: \"{}\" is too large", flag, shown));
    std::optional<int> shift = 0;
    if (quantity && !quantity->unit.empty())
        shift = unit_shift(quantity->unit, base_shift);
    if (!quantity || !shift)
        throw InvalidInput(std::string(flag), fmt::format("{}: \"{}\" is not a size; use e.g. {}",
                                                          flag, shown, examples));
    std::uint64_t value = quantity->number;
    if (*shift > 0) {
        if (value > (max >> *shift))
            throw InvalidInput(std::string(flag),
                               fmt::format("{}: \"{}\" is too large", flag, shown));
        value <<= *shift;
    } else if (*shift < 0) {
        auto divisor = std::uint64_t{1} << -*shift;
        if (value % divisor != 0)
            throw InvalidInput(std::string(flag),
                               fmt::format("{}: \"{}\" is not a whole number of {}", flag, shown,
                                           base_shift == 20 ? "MiB" : "GiB"));
        value /= divisor;
    }
    if (value > max)
        throw InvalidInput(std::string(flag), fmt::format("{}: \"{}\" is too large", flag, shown));
    return value;
}

} // namespace

std::uint64_t parse_memory_mib(std::string_view text) {
    auto mib = parse_size(text, "--memory", 20, max_memory_mib, "4096 (MiB), 4G or 512M");
    if (mib < min_memory_mib)
        throw InvalidInput("--memory", fmt::format("--memory: {} MiB is too little; at least {} "
                                                   "MiB is needed",
                                                   mib, min_memory_mib));
    return mib;
}

std::uint64_t parse_disk_gib(std::string_view text) {
    auto gib = parse_size(text, "--disk-size", 30, max_disk_gib, "100 (GiB), 100G or 1T");
    if (gib == 0)
        throw InvalidInput("--disk-size", "--disk-size: must be at least 1 GiB");
    return gib;
}

int parse_cpus(std::string_view text, int host_cpus) {
    auto shown = printable(text);
    long long cpus = 0;
    auto [rest, ec] = std::from_chars(text.data(), text.data() + text.size(), cpus);
    if (ec != std::errc() || rest != text.data() + text.size() || cpus < 1 || cpus > host_cpus)
        throw InvalidInput("--cpus", fmt::format("--cpus: \"{}\" is not accepted; use a whole "
                                                 "number from 1 to {} (this host's CPUs)",
                                                 shown, host_cpus));
    return int(cpus);
}

} // namespace machine
