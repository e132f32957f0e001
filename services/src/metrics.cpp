#include "firedrill/metrics.hpp"

#include <dirent.h>
#include <prometheus/gauge.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "firedrill/version.hpp"

namespace firedrill {

const std::vector<double>& request_duration_buckets() {
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                           0.5,   1.0,  2.5,   5.0,  10.0};
  return buckets;
}

namespace {

prometheus::MetricFamily gauge_family(std::string name, std::string help, double value,
                                      prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

struct ProcStat {
  double utime_ticks = 0, stime_ticks = 0, starttime_ticks = 0, vsize = 0, rss_pages = 0;
  bool ok = false;
};

ProcStat read_proc_stat() {
  ProcStat s;
  std::ifstream in("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces; fields after it start past the last ')'.
  auto pos = content.rfind(')');
  if (pos == std::string::npos) return s;
  std::istringstream rest(content.substr(pos + 2));
  std::string field;
  // Fields from 3 (state) on; utime is 14, stime 15, starttime 22, vsize 23, rss 24.
  for (int i = 3; i <= 24 && rest >> field; ++i) {
    if (i == 14) s.utime_ticks = std::stod(field);
    if (i == 15) s.stime_ticks = std::stod(field);
    if (i == 22) s.starttime_ticks = std::stod(field);
    if (i == 23) s.vsize = std::stod(field);
    if (i == 24) {
      s.rss_pages = std::stod(field);
      s.ok = true;
    }
  }
  return s;
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(4096, '\n');
  }
  return 0;
}

double open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double n = 0;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor opendir itself holds
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page_size = static_cast<double>(sysconf(_SC_PAGESIZE));
  static const double boot_time = boot_time_seconds();
  std::vector<prometheus::MetricFamily> out;
  ProcStat s = read_proc_stat();
  if (s.ok) {
    out.push_back(gauge_family(
        "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
        (s.utime_ticks + s.stime_ticks) / ticks, prometheus::MetricType::Counter));
    out.push_back(gauge_family("process_start_time_seconds",
                               "Start time of the process since unix epoch in seconds.",
                               boot_time + s.starttime_ticks / ticks));
    out.push_back(gauge_family("process_resident_memory_bytes", "Resident memory size in bytes.",
                               s.rss_pages * page_size));
    out.push_back(
        gauge_family("process_virtual_memory_bytes", "Virtual memory size in bytes.", s.vsize));
  }
  out.push_back(gauge_family("process_open_fds", "Number of open file descriptors.", open_fds()));
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    out.push_back(gauge_family("process_max_fds", "Maximum number of open file descriptors.",
                               static_cast<double>(rl.rlim_cur)));
  }
  return out;
}

HttpRouteMetrics::HttpRouteMetrics(prometheus::Family<prometheus::Counter>& requests,
                                   prometheus::Family<prometheus::Histogram>& durations,
                                   std::string handler, std::string method)
    : requests_(requests),
      handler_(std::move(handler)),
      method_(std::move(method)),
      duration_(durations.Add({{"handler", handler_}, {"method", method_}},
                              request_duration_buckets())) {}

void HttpRouteMetrics::observe(int status, double duration_seconds) {
  duration_.Observe(duration_seconds);
  if (status < 100 || status >= 600) status = 500;
  counter(status).Increment();
}

void HttpRouteMetrics::expose(int status) {
  if (status >= 100 && status < 600) counter(status);
}

prometheus::Counter& HttpRouteMetrics::counter(int status) {
  auto& slot = by_code_[static_cast<std::size_t>(status)];
  prometheus::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add returns the existing child for the same labels, so a race here is harmless.
    counter = &requests_.Add(
        {{"handler", handler_}, {"method", method_}, {"code", std::to_string(status)}});
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

Metrics::Metrics(std::string_view service)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("http_requests_total")
                    .Help("HTTP requests answered, by route template, method and status code.")
                    .Register(*registry_)),
      durations_(prometheus::BuildHistogram()
                     .Name("http_request_duration_seconds")
                     .Help("Time to answer an HTTP request, by route template and method.")
                     .Register(*registry_)) {
  prometheus::BuildGauge()
      .Name("firedrill_build_info")
      .Help("Always 1; labels carry the version and git revision of the running build.")
      .Register(*registry_)
      .Add({{"version", std::string(version())},
            {"revision", std::string(revision())},
            {"service", std::string(service)}})
      .Set(1);
}

HttpRouteMetrics& Metrics::http(std::string_view handler, std::string_view method) {
  std::string key;
  key.reserve(handler.size() + method.size() + 1);
  key.append(method).push_back(' ');
  key.append(handler);
  std::lock_guard lock(routes_mutex_);
  auto& slot = routes_[key];
  if (!slot) {
    slot = std::make_unique<HttpRouteMetrics>(requests_, durations_, std::string(handler),
                                              std::string(method));
  }
  return *slot;
}

std::string Metrics::serialize() const {
  auto families = registry_->Collect();
  auto process = process_.Collect();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, families);
  return out.str();
}

}  // namespace firedrill
