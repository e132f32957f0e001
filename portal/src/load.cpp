#include "portal/load.hpp"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <thread>

#include "portal/api.hpp"

namespace portal::load {

namespace {

// Histogram layout: 1000 buckets of 0.1 ms below 100 ms, then 9900 of 1 ms up to 10 s, then one
// overflow bucket.
constexpr std::size_t kFineBuckets = 1000;
constexpr std::size_t kCoarseBuckets = 9900;
constexpr std::size_t kBuckets = kFineBuckets + kCoarseBuckets + 1;

std::size_t bucket_of(std::int64_t ns) {
  if (ns < 0) ns = 0;
  const auto tenth_ms = static_cast<std::size_t>(ns / 100'000);
  if (tenth_ms < kFineBuckets) return tenth_ms;
  const auto ms = static_cast<std::size_t>(ns / 1'000'000);
  return std::min(kFineBuckets + (ms - 100), kBuckets - 1);
}

// The upper bound of a bucket, in ms.
double bucket_upper_ms(std::size_t i) {
  if (i < kFineBuckets) return static_cast<double>(i + 1) / 10.0;
  return static_cast<double>(i - kFineBuckets + 101);
}

}  // namespace

std::optional<Target> parse_target(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(scheme.size());
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.empty() || url.find('/') != std::string_view::npos) return std::nullopt;
  Target t;
  std::string_view host = url;
  std::string_view port;
  if (url.front() == '[') {
    auto close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = url.substr(1, close - 1);
    auto rest = url.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (auto colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
    if (port.empty()) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), t.port);
    if (ec != std::errc{} || end != port.data() + port.size() || t.port < 1 || t.port > 65535) {
      return std::nullopt;
    }
  }
  t.host = std::string(host);
  return t;
}

PlannedRequest RequestMix::next() {
  std::uniform_int_distribution<int> percent(0, 99);
  const int pick = percent(rng_);
  if (pick < 10) return {"GET", "/", "", "/"};
  if (pick < 50) return {"GET", "/api/items", "", "/api/items"};
  if (pick < 80) {
    int id = std::uniform_int_distribution<int>(1, kCatalogueSize)(rng_);
    if (percent(rng_) < 5) id += 1000;  // unknown: 404
    return {"GET", "/api/items/" + std::to_string(id), "", "/api/items/{id}"};
  }
  if (pick < 95) {
    const int item = std::uniform_int_distribution<int>(1, kCatalogueSize)(rng_);
    int quantity = std::uniform_int_distribution<int>(1, 5)(rng_);
    if (percent(rng_) < 5) quantity = 0;  // invalid: 400
    return {"POST", "/api/orders", nlohmann::json{{"item_id", item}, {"quantity", quantity}}.dump(),
            "/api/orders"};
  }
  return {"GET", "/api/work?ms=5", "", "/api/work"};
}

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets) {}

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
  const std::int64_t ns = latency.count();
  buckets_[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
  std::int64_t seen = max_ns_.load(std::memory_order_relaxed);
  while (ns > seen && !max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
}

double LatencyHistogram::quantile_ms(double quantile) const {
  std::uint64_t total = 0;
  for (const auto& b : buckets_) total += b.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(quantile * static_cast<double>(total)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= std::max<std::uint64_t>(rank, 1)) {
      return i == kBuckets - 1 ? max_ms() : std::min(bucket_upper_ms(i), max_ms());
    }
  }
  return max_ms();
}

double LatencyHistogram::max_ms() const {
  return static_cast<double>(max_ns_.load(std::memory_order_relaxed)) / 1e6;
}

std::uint64_t LoadSummary::answered() const {
  std::uint64_t n = 0;
  for (const auto& [code, count] : codes) n += count;
  return n;
}

double LoadSummary::achieved_rps() const {
  if (elapsed_seconds <= 0) return 0;
  return static_cast<double>(sent) / elapsed_seconds;
}

nlohmann::json LoadSummary::to_json() const {
  nlohmann::json by_code = nlohmann::json::object();
  for (const auto& [code, count] : codes) by_code[std::to_string(code)] = count;
  auto round2 = [](double v) { return std::round(v * 100.0) / 100.0; };
  return nlohmann::json{
      {"scheduled", scheduled},
      {"sent", sent},
      {"answered", answered()},
      {"dropped", dropped},
      {"transport_errors", transport_errors},
      {"codes", by_code},
      {"elapsed_seconds", round2(elapsed_seconds)},
      {"target_rps", target_rps},
      {"achieved_rps", round2(achieved_rps())},
      {"latency_ms", {{"p50", round2(p50_ms)}, {"p99", round2(p99_ms)}, {"max", round2(max_ms)}}}};
}

std::string LoadSummary::to_text() const {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1);
  out << "portal-load: " << sent << " requests in " << elapsed_seconds << " s: " << achieved_rps()
      << " req/s (target " << target_rps << "), " << dropped << " dropped, " << transport_errors
      << " transport errors\n";
  for (const auto& [code, count] : codes) out << "  " << code << ": " << count << "\n";
  out << "  latency ms: p50 " << p50_ms << ", p99 " << p99_ms << ", max " << max_ms << "\n";
  return out.str();
}

LoadGenerator::LoadGenerator(LoadOptions options)
    : options_(std::move(options)), mix_(options_.seed) {}

void LoadGenerator::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
}

void LoadGenerator::record_answer(int status) {
  std::lock_guard lock(codes_mutex_);
  ++codes_[status];
}

void LoadGenerator::worker() {
  httplib::Client client(options_.target.host, options_.target.port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(options_.timeout);
  client.set_read_timeout(options_.timeout);
  client.set_write_timeout(options_.timeout);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || draining_; });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    sent_.fetch_add(1, std::memory_order_relaxed);
    httplib::Result result =
        job.request.method == "POST"
            ? client.Post(job.request.path.c_str(), job.request.body, "application/json")
            : client.Get(job.request.path.c_str());
    latency_.record(std::chrono::steady_clock::now() - job.due);
    if (result) {
      record_answer(result->status);
    } else {
      transport_errors_.fetch_add(1, std::memory_order_relaxed);
    }
    std::lock_guard lock(mutex_);
    --outstanding_;
  }
}

LoadSummary LoadGenerator::run() {
  std::vector<std::thread> workers;
  workers.reserve(options_.concurrency);
  for (std::size_t i = 0; i < options_.concurrency; ++i) workers.emplace_back([this] { worker(); });

  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / options_.rps));
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + options_.duration;
  auto due = start;
  bool stopped = false;
  {
    std::unique_lock lock(mutex_);
    for (std::uint64_t n = 0;; ++n, due += interval) {
      if (options_.max_requests != 0 && n >= options_.max_requests) break;
      if (options_.duration.count() != 0 && due >= end) break;
      if (stop_cv_.wait_until(lock, due, [&] { return stopping_; })) {
        stopped = true;
        break;
      }
      scheduled_.fetch_add(1, std::memory_order_relaxed);
      PlannedRequest request = mix_.next();
      if (outstanding_ >= options_.concurrency) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      ++outstanding_;
      queue_.push_back(Job{std::move(request), due});
      queue_cv_.notify_one();
    }
    // The schedule ends at the last due time or at stop(), whichever came first.
    draining_ = true;
  }
  // The schedule covers the slots it passed: up to the next unused slot, or up to stop().
  const auto finished = stopped ? std::chrono::steady_clock::now() : due;
  queue_cv_.notify_all();
  for (auto& t : workers) t.join();

  LoadSummary s = progress();
  s.elapsed_seconds = std::chrono::duration<double>(finished - start).count();
  {
    std::lock_guard lock(codes_mutex_);
    s.codes = codes_;
  }
  s.p50_ms = latency_.quantile_ms(0.50);
  s.p99_ms = latency_.quantile_ms(0.99);
  s.max_ms = latency_.max_ms();
  return s;
}

LoadSummary LoadGenerator::progress() const {
  LoadSummary s;
  s.scheduled = scheduled_.load();
  s.sent = sent_.load();
  s.dropped = dropped_.load();
  s.transport_errors = transport_errors_.load();
  s.target_rps = options_.rps;
  return s;
}

}  // namespace portal::load
