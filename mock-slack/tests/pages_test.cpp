#include "mock_slack/pages.hpp"
