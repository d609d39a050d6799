// Running the gatesim Python package from the command line (python_command.hpp).
#include "cli/python_command.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "cli/common.hpp"

namespace gatesim::cli {
namespace {

std::string last_line(const std::string& text) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    const auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

}  // namespace

namespace fs = std::filesystem;

Child run_python(const std::vector<std::string>& argv, const std::string& pythonpath, bool capture) {
    int pipe_fds[2] = {-1, -1};
    if (capture && pipe(pipe_fds) != 0) return {};
    const pid_t pid = fork();
    if (pid < 0) return {};
    if (pid == 0) {
        if (capture) {
            dup2(pipe_fds[1], STDOUT_FILENO);
            dup2(pipe_fds[1], STDERR_FILENO);
            close(pipe_fds[0]);
            close(pipe_fds[1]);
        }
        if (!pythonpath.empty()) {
            const char* old = std::getenv("PYTHONPATH");
            const std::string joined = pythonpath + (old && *old ? std::string(":") + old : "");
            setenv("PYTHONPATH", joined.c_str(), 1);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    Child child;
    auto* previous = std::signal(SIGINT, SIG_IGN);
    if (capture) {
        close(pipe_fds[1]);
        char buffer[4096];
        for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) child.output.append(buffer, static_cast<std::size_t>(n));
        close(pipe_fds[0]);
    }
    waitpid(pid, &child.status, 0);
    std::signal(SIGINT, previous);
    return child;
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return exit_internal;
}

// <build>/python beside this executable's bin/, when it holds the package.
std::string package_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return "";
    const fs::path dir = exe.parent_path().parent_path() / "python";
    return fs::exists(dir / "gatesim" / "__init__.py", ec) ? dir.string() : "";
}

std::string find_python(const std::string& pythonpath, const std::string& modules, const std::string& needs) {
    std::vector<std::string> candidates{"/usr/bin/python3", "python3"};
    if (const char* chosen = std::getenv("GATESIM_PYTHON"); chosen && *chosen) candidates = {chosen};  // no fallback
    const std::string probe = "import " + modules;
    std::string tried;
    for (const auto& python : candidates) {
        const Child c = run_python({python, "-c", probe}, pythonpath, true);
        if (c.status >= 0 && exit_code(c.status) == 0) return python;
        const std::string why = exit_code(c.status) == 127 ? "not found" : last_line(c.output);
        tried += "\n  " + python + ": " + why;
    }
    throw BadInput(needs + "; set GATESIM_PYTHON to one. Tried:" + tried);
}

int run_gatesim_command(const std::vector<std::string>& arguments, const std::string& modules, const std::string& needs) {
    const std::string pythonpath = package_dir();
    const std::string python = find_python(pythonpath, modules, needs);
    std::vector<std::string> argv{python, "-m", "gatesim.command"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const Child c = run_python(argv, pythonpath, false);
    if (c.status < 0) throw std::runtime_error("cannot start " + python);
    return exit_code(c.status);
}

}  // namespace gatesim::cli
