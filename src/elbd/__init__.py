"""elbd: a self-hosted load balancer service with the Huawei Cloud ELB v3 API."""
