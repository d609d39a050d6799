// `gatesim show`: prints the fully resolved scenario as YAML (uncertain fields as their
// distributions), which loads back as the same scenario.
#include <iostream>

#include "cli/common.hpp"

namespace gatesim::cli {
namespace {

class ShowCommand : public Command {
public:
    explicit ShowCommand(CLI::App& app) : Command(app.add_subcommand("show", "Print the fully resolved scenario as YAML")) {
        app_->footer("Examples:\n"
                     "  gatesim show scenarios/global_shutdown.yaml\n"
                     "  gatesim show scenarios/global_shutdown.yaml --set days=90 > resolved.yaml");
        scenario_.add(app_);
    }

    int execute(const Invocation&) override {
        std::cout << to_yaml(load(scenario_.file, scenario_.overrides, std::nullopt));
        return exit_ok;
    }

private:
    ScenarioOptions scenario_;
};

}  // namespace

std::unique_ptr<Command> add_show(CLI::App& app) { return std::make_unique<ShowCommand>(app); }

}  // namespace gatesim::cli
