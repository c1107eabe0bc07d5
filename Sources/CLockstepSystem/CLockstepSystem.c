#include "CLockstepSystem.h"
