module github.com/footingdev/footing/aigateway

go 1.26.0

require github.com/footingdev/footing/contracts v0.1.0

replace github.com/footingdev/footing/contracts => ../contracts
