package app

import "os"

// lookupEnv is os.LookupEnv, a variable so that tests can replace it.
var lookupEnv = os.LookupEnv
