#pragma once
// The thin half of the agent: carries out a Plan under a root prefix, comparing before every
// write, so applying the same plan twice changes nothing the second time. Files, links and
// directories are written directly (atomically); users and groups go through the System
// (useradd, usermod) so the shadow suite keeps its locks and conventions.
#include "provisioning/agent/accounts.h"
#include "provisioning/agent/files.h"
#include "provisioning/agent/plan.h"
#include "provisioning/agent/system.h"

#include <set>
#include <string>
#include <vector>

namespace machine::agent {

struct ApplyResult {
    std::vector<std::string> changes;    // "wrote /etc/hostname": empty when nothing changed
    std::vector<std::string> notes;      // left as it is on purpose, worth a log line
    std::set<std::string> changed_units; // units whose files or links changed
    std::set<std::string> written_files; // guest paths of the files (re)written
};

class Applier {
public:
    // With `manage_ownership` false (not running as root) owners are resolved but neither
    // compared nor changed.
    Applier(Root root, System &system, bool manage_ownership);

    // Throws ApplyError (naming the config field), SystemError or CommandFailed; what was done
    // before the failure stays done, and the next boot finishes the rest.
    ApplyResult apply(const Plan &plan);

    // The passwd entry of `name` under the root, as the plan left it.
    std::optional<PasswdEntry> user(const std::string &name) const;

private:
    void run(const EnsureUser &action);
    void run(const EnsureSubordinateIds &action);
    void run(const EnsureAuthorizedKeys &action);
    void run(const EnsureDirectory &action);
    void run(const EnsureFile &action);
    void run(const EnsureLink &action);
    void run(const RemoveLink &action);
    void run(const EnableUnit &action);
    void run(const DisableUnit &action);

    struct FoundUnit {
        std::string path; // in the guest
        std::string contents;
        bool masked = false; // path -> /dev/null; no contents
    };
    // The unit file (or its template's) in the first unit directory that has one; a mask there
    // stops the search.
    std::optional<FoundUnit> find_unit(const std::string &name) const;
    void ensure_symlink(const std::string &path, const std::string &target, bool overwrite,
                        std::optional<Ownership> owner, const std::string &field,
                        const std::string &unit);
    std::optional<Ownership> resolve(const Owner &user, const Owner &group,
                                     const std::string &field) const;
    void fix_attributes(const std::filesystem::path &path, const struct stat &st,
                        const std::string &guest_path, std::optional<unsigned> mode,
                        std::optional<Ownership> owner, const std::string &unit);
    void created_parents(const std::filesystem::path &path, const std::string &unit);
    void changed(const std::string &what, const std::string &unit = {});
    void note(const std::string &what) { result_.notes.push_back(what); }

    Root root_;
    System &system_;
    bool manage_ownership_;
    ApplyResult result_;
};

} // namespace machine::agent
