// Co-simulation harness for a Verilated design: a main() that speaks the line protocol of
// sim/README.md on stdin/stdout, the same protocol as the Icarus testbench, so the TypeScript
// driver is shared. The design's ports come from harness-ports.h, which sim/verilator-harness.ts
// writes for each design:
//   HARNESS_TOP             the top module's name (for messages)
//   HARNESS_CLOCK           the clock input (undefined for a combinational design)
//   HARNESS_INPUTS(X)       X(index, name, width) for each pokeable input (every input but the clock)
//   HARNESS_PORTS(X)        X(index, name, width) for every port, in port order
//   HARNESS_OUTPUTS(X)      X(index, name, width) for every output, index into the port list
// Ports up to 64 bits are scalars in Verilator's C++, wider ones VlWide words.
#include "Vdut.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness-ports.h"

static VerilatedContext* ctx;
static Vdut* top;
#if VM_TRACE
static VerilatedVcdC* tfp = nullptr;
#endif
static bool dirty = true;
static std::string out;
static char* line = nullptr;
static size_t cap = 0;

static void flush_out() {
  if (!out.empty()) fwrite(out.data(), 1, out.size(), stdout);
  fflush(stdout);
  out.clear();
}

static void eval_dump() {
  top->eval();
#if VM_TRACE
  if (tfp) tfp->dump(ctx->time());
#endif
}

static void settle() {
  if (dirty) {
    eval_dump();
    ctx->timeInc(1);
    dirty = false;
  }
}

#ifdef HARNESS_CLOCK
static void cycle() {
  top->HARNESS_CLOCK = 1;
  eval_dump();
  ctx->timeInc(5);
  top->HARNESS_CLOCK = 0;
  eval_dump();
  ctx->timeInc(5);
}
#else
static void cycle() {
  eval_dump();
  ctx->timeInc(10);
}
#endif

// ---- hex values in and out ----

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static const char* parse_hex(const char* p, uint32_t* w, size_t nw) {
  while (*p == ' ' || *p == '\t') ++p;
  const char* s = p;
  while (hexval(*p) >= 0) ++p;
  for (size_t i = 0; i < nw; ++i) w[i] = 0;
  size_t bit = 0;
  for (const char* q = p; q > s;) {
    --q;
    size_t wi = bit / 32;
    if (wi < nw) w[wi] |= (uint32_t)hexval(*q) << (bit % 32);
    bit += 4;
  }
  return p;
}

template <typename T> static const char* set_port(T& port, const char* p, int width) {
  uint32_t w[2];
  p = parse_hex(p, w, 2);
  uint64_t v = (uint64_t)w[0] | ((uint64_t)w[1] << 32);
  if (width < 64) v &= (((uint64_t)1) << width) - 1;
  port = (T)v;
  return p;
}

template <std::size_t N> static const char* set_port(VlWide<N>& port, const char* p, int width) {
  uint32_t w[N];
  p = parse_hex(p, w, N);
  if (width % 32) w[N - 1] &= (((uint32_t)1) << (width % 32)) - 1;
  for (std::size_t i = 0; i < N; ++i) port[i] = w[i];
  return p;
}

static void put_hex(const uint32_t* w, int width) {
  static const char digits[] = "0123456789abcdef";
  for (int d = (width + 3) / 4 - 1; d >= 0; --d) {
    int bit = d * 4;
    out.push_back(digits[(w[bit / 32] >> (bit % 32)) & 15]);
  }
}

template <typename T> static void get_port(const T& port, int width) {
  uint64_t v = (uint64_t)port;
  uint32_t w[2] = {(uint32_t)v, (uint32_t)(v >> 32)};
  put_hex(w, width);
}

template <std::size_t N> static void get_port(const VlWide<N>& port, int width) {
  uint32_t w[N];
  for (std::size_t i = 0; i < N; ++i) w[i] = port[i];
  put_hex(w, width);
}

// ---- the port table ----

static const char* poke(long i, const char* p) {
  dirty = true;
  switch (i) {
#define X(index, name, width) \
  case index:                 \
    return set_port(top->name, p, width);
    HARNESS_INPUTS(X)
#undef X
    default:
      return nullptr;
  }
}

static bool peek(long i) {
  switch (i) {
#define X(index, name, width)  \
  case index:                  \
    get_port(top->name, width); \
    return true;
    HARNESS_PORTS(X)
#undef X
    default:
      return false;
  }
}

static void finish() {
  top->final();
#if VM_TRACE
  if (tfp) {
    tfp->close();
    tfp = nullptr;
  }
#endif
}

static void check_finish() {
  if (ctx->gotFinish()) {
    flush_out();
    finish();
    fprintf(stderr, "the design called $finish\n");
    exit(0);
  }
}

// ---- the protocol ----

int main(int argc, char** argv) {
  ctx = new VerilatedContext;
  ctx->commandArgs(argc, argv);
  top = new Vdut{ctx};
  const char* vcd = nullptr;
  for (int i = 1; i < argc; ++i)
    if (strncmp(argv[i], "+vcd=", 5) == 0) vcd = argv[i] + 5;
#if VM_TRACE
  if (vcd) {
    ctx->traceEverOn(true);
    tfp = new VerilatedVcdC;
    top->trace(tfp, 99);
    tfp->open(vcd);
  }
#else
  if (vcd) {
    fprintf(stderr, "this model of %s was built without --trace\n", HARNESS_TOP);
    return 3;
  }
#endif
#ifdef HARNESS_CLOCK
  top->HARNESS_CLOCK = 0;
#endif
#define X(index, name, width) poke(index, "0");
  HARNESS_INPUTS(X)
#undef X
  out += "@R\n";
  flush_out();
  while (getline(&line, &cap, stdin) >= 0) {
    const char* p = line;
    while (*p == ' ' || *p == '\t') ++p;
    char* e;
    switch (*p) {
      case 'P': {
        long i = strtol(p + 1, &e, 10);
        if (!poke(i, e)) {
          out += "@! no input\n";
          flush_out();
        }
        break;
      }
      case 'G': {
        long i = strtol(p + 1, &e, 10);
        settle();
        out += "@V ";
        if (!peek(i)) out += "?";
        out += "\n";
        flush_out();
        break;
      }
      case 'S': {
        long long n = strtoll(p + 1, &e, 10);
        settle();
        for (long long k = 0; k < n; ++k) {
          cycle();
          if ((k & 1023) == 0) check_finish();
        }
        check_finish();
        out += "@S\n";
        flush_out();
        break;
      }
      case 'B': {
        long long n = strtoll(p + 1, &e, 10);
        for (long long k = 0; k < n; ++k) {
          if (getline(&line, &cap, stdin) < 0) break;
          const char* q = line;
#define X(index, name, width) q = poke(index, q);
          HARNESS_INPUTS(X)
#undef X
          settle();
          out += "@O";
#define X(index, name, width) \
  out.push_back(' ');         \
  peek(index);
          HARNESS_OUTPUTS(X)
#undef X
          out.push_back('\n');
          cycle();
          if (out.size() >= 65536) {
            flush_out();
            check_finish();
          }
        }
        flush_out();
        check_finish();
        break;
      }
      case 'Q':
        finish();
        out += "@Q\n";
        flush_out();
        return 0;
      case '\n':
      case '\0':
        break;
      default:
        out += "@! bad command\n";
        flush_out();
    }
  }
  finish();
  return 0;
}
