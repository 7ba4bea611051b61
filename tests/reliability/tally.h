#pragma once
// The reliability suite's score: tests record what they put the machine through (a fault, a bad
// input, a load request, a listening socket) and whether it was survived, one line each in the
// file $MACHINE_TEST_TALLY names (appended, so every test process adds to one file);
// tests/reliability/summary turns it into the suite's one summary line. Records nothing when the
// variable is unset.
#include <string>

namespace machine::test {

// Kinds, in the order the summary prints them.
inline const std::string faults = "faults survived";
inline const std::string bad_inputs = "bad inputs";
inline const std::string load = "load";
inline const std::string listeners = "listeners on loopback only";
inline const std::string skipped = "skipped";

// Counts one `kind` item as survived if no assertion failed while it lived (and no exception left
// its scope).
class Tally {
public:
    Tally(std::string kind, std::string name);
    ~Tally();
    Tally(const Tally &) = delete;
    Tally &operator=(const Tally &) = delete;

private:
    std::string kind_;
    std::string name_;
    long failures_at_start_;
    int exceptions_at_start_;
};

// Records `passed` of `total` items at once (e.g. 2,000 requests).
void tally(const std::string &kind, const std::string &name, long passed, long total);

// Skips the rest of the running test case: says why in its output and records it, so the summary
// counts it apart from what passed (a skip is never a pass). The caller returns.
void skip(const std::string &why);

// True if `program` is on PATH; otherwise skips the running test case, naming where it comes from.
bool have_program(const std::string &program, const std::string &installed_by);

} // namespace machine::test
