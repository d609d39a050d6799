// `gatesim validate`: loads a scenario with its overrides and reports every problem (exit 2),
// or that it is valid.
#include <iostream>

#include "cli/common.hpp"

namespace gatesim::cli {
namespace {

class ValidateCommand : public Command {
public:
    explicit ValidateCommand(CLI::App& app)
        : Command(app.add_subcommand("validate", "Check a scenario file and report every problem")) {
        app_->footer("Examples:\n"
                     "  gatesim validate my_scenario.yaml\n"
                     "  gatesim validate scenarios/geo_fence.yaml --set 'directive.stages.fence.fenced_regions=[europe]'");
        scenario_.add(app_);
    }

    int execute(const Invocation&) override {
        load(scenario_.file, scenario_.overrides, std::nullopt);
        std::cout << scenario_.file << ": valid\n";
        return exit_ok;
    }

private:
    ScenarioOptions scenario_;
};

}  // namespace

std::unique_ptr<Command> add_validate(CLI::App& app) { return std::make_unique<ValidateCommand>(app); }

}  // namespace gatesim::cli
