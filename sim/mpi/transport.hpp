// Messages between the ranks of a gatesim MPI job: their tags, receiving whatever has arrived,
// and sending without blocking. Payloads are byte strings (study/wire.hpp encodes them).
//
// Nothing here waits inside MPI: Open MPI's blocking calls poll at full speed, which on a node
// with more ranks than cores takes the processor from the runs. Every wait is a poll followed
// by a short sleep that grows while nothing happens (Backoff).
#pragma once

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace gatesim::mpi {

// rank 0 -> worker: plan, job, end_plan, shutdown; worker -> rank 0: the others.
enum class Tag : int {
    plan = 1,         // threads per rank and the encoded plan: work on it until end_plan
    request = 2,      // a worker's number of run slots, once per plan
    job = 3,          // the job index to run
    run = 4,          // a finished run (frees its slot)
    failure = 5,      // a run that failed, as encode_failure (frees its slot)
    interrupted = 6,  // the worker got SIGINT or SIGTERM
    end_plan = 7,     // stop the plan's runs, drop its jobs
    plan_ended = 8,   // the worker has stopped the plan; nothing of it follows
    shutdown = 9,     // no more plans: finish
    bye = 10,         // the worker is finishing
};

// A failed MPI call: the job's communication is broken (a rank lost).
struct MpiError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Throws MpiError naming the call when `code` is not MPI_SUCCESS.
void check(int code, const char* call);

struct Message {
    int source = 0;
    Tag tag{};
    std::string bytes;
};

// A sender that died while its message was in transit.
struct LostRank : MpiError {
    LostRank(int lost, const std::string& what) : MpiError(what), rank(lost) {}
    int rank;
};

// Receives one message that has arrived (from `source`, or any rank), if any. A large message
// comes in pieces, and its sender may die before the last (a rank killed mid-send), when a
// blocking receive would wait forever. So the transfer is polled, and once `stopping` has said
// true for a second, it is abandoned: LostRank. Without `stopping`, it is waited for.
std::optional<Message> receive(int source = MPI_ANY_SOURCE, const std::function<bool()>& stopping = {});

std::string number_bytes(std::uint64_t v);
std::uint64_t bytes_number(const std::string& bytes);  // MpiError unless 8 bytes

// Sends that have not completed yet, each keeping its buffer alive until MPI is done with it.
class Outbox {
public:
    Outbox() = default;
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;
    ~Outbox();  // frees what never completed (a lost rank's), without waiting

    void send(int rank, Tag tag, std::shared_ptr<const std::string> bytes);
    void send(int rank, Tag tag, std::string bytes = {}) {
        send(rank, tag, std::make_shared<const std::string>(std::move(bytes)));
    }
    // Forgets the sends that have completed; true when none is left.
    bool progress();

private:
    struct Pending {
        MPI_Request request;
        std::shared_ptr<const std::string> bytes;
    };
    std::list<Pending> pending_;
};

// Sleeps between polls: 50 us after activity, doubling to 2 ms while idle.
class Backoff {
public:
    void reset() { wait_ = std::chrono::microseconds(50); }
    void idle();

private:
    std::chrono::microseconds wait_{50};
};

}  // namespace gatesim::mpi
