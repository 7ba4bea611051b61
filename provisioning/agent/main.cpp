// machine-agent: the guest agent (see agent.h). The one place errors are caught and turned
// into a console line and an exit status: 0 Ready sent, 1 no Ready, 2 bad flags.
// (agent.cpp also catches, around the steps whose failure must not withhold Ready.)
#include "provisioning/agent/agent.h"
#include "provisioning/agent/api_server.h"
#include "provisioning/agent/errors.h"
#include "provisioning/agent/files.h"
#include "provisioning/agent/log.h"
#include "provisioning/agent/options.h"
#include "provisioning/agent/system.h"
#include "provisioning/agent/text.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace machine::agent;

namespace {

constexpr const char *default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr const char *no_ready = "; not sending Ready";

std::unique_ptr<System> make_system(const Options &options, const Log &log) {
    if (Root(options.root).is_system_root())
        return std::make_unique<SpawnSystem>();
    return std::make_unique<RecordingSystem>([&log](const Argv &argv) {
        log.info("dry run under --root: not running `" + join(argv, " ") + "`");
    });
}

} // namespace

int main(int argc, char **argv) {
    Log log; // stderr only, until --root says where the console is
    try {
        auto options = parse_options(argc, argv);
        if (options.help) {
            std::fputs(usage().c_str(), stdout);
            return 0;
        }
        log = Log(Root(options.root).host(console_path));
        // posix_spawnp without PATH would search only /bin and /usr/bin: useradd is in sbin.
        ::setenv("PATH", default_path, 0);
        if (options.serve_api)
            serve_api(options, log);
        if (options.mux_stdio) {
            serve_api_on_stdio(options, log);
            return 0;
        }
        auto system = make_system(options, log);
        run_agent(options, *system, log);
        return 0;
    } catch (const UsageError &error) {
        log.error(error.what());
        std::fputs(usage().c_str(), stderr);
        return 2;
    } catch (const ConfigError &error) {
        log.error(std::string("invalid Ignition config: ") + error.what() + no_ready);
        return 1;
    } catch (const ApplyError &error) {
        log.error(std::string("cannot apply the Ignition config: ") + error.what() + no_ready);
        return 1;
    } catch (const AgentError &error) {
        log.error(error.what() + std::string(no_ready));
        return 1;
    } catch (const std::exception &error) {
        log.error(std::string("unexpected error: ") + error.what() + no_ready);
        return 1;
    }
}
